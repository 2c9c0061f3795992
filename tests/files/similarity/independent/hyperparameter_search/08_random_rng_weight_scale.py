best_model = None
# TODO: Tune hyperparameters using the validation set. Store your best trained model in best_model.
# YOUR CODE HERE
rng = np.random.default_rng(42)
best_val_acc = -1.0
history = []
for trial in range(10):
    ws = float(10 ** rng.uniform(-3, -1))          # init scale too
    lr = float(10 ** rng.uniform(-1.3, 0.2))
    reg = float(10 ** rng.uniform(-6, -3))
    hidden_dim = int(rng.integers(60, 260))
    model = TwoLayerNet(input_dim=input_dim, hidden_dim=hidden_dim, num_classes=num_classes,
                        weight_scale=ws, reg=reg)
    solver = Solver(model, data, optim_config={'learning_rate': lr}, num_epochs=25,
                    batch_size=100, lr_decay=0.95, verbose=False)
    solver.train()
    search.record(model, solver, learning_rate=lr, reg=reg, hidden_dim=hidden_dim, num_epochs=25,
                  weight_scale=ws)
    history.append((trial, lr, reg, hidden_dim, ws, solver.best_val_acc))
    if solver.best_val_acc > best_val_acc:
        best_val_acc = solver.best_val_acc
        best_model = model
for row in history:
    print(row)
