best_model = None
# TODO: Tune hyperparameters using the validation set. Store your best trained model in best_model.
# YOUR CODE HERE
configs = [
    dict(learning_rate=1.0, reg=0.0, hidden_dim=100, num_epochs=20, batch_size=100),
    dict(learning_rate=1.0, reg=1e-3, hidden_dim=200, num_epochs=20, batch_size=100),
    dict(learning_rate=0.5, reg=1e-4, hidden_dim=200, num_epochs=40, batch_size=50),
    dict(learning_rate=2.0, reg=1e-4, hidden_dim=100, num_epochs=30, batch_size=200),
    dict(learning_rate=0.2, reg=0.0, hidden_dim=300, num_epochs=40, batch_size=50),
]
runs = []
for c in configs:
    model = TwoLayerNet(input_dim=input_dim, hidden_dim=c['hidden_dim'], num_classes=num_classes, reg=c['reg'])
    solver = Solver(model, data, optim_config={'learning_rate': c['learning_rate']},
                    num_epochs=c['num_epochs'], batch_size=c['batch_size'], lr_decay=0.95, verbose=False)
    solver.train()
    runs.append((solver.best_val_acc, c, model))

runs.sort(key=lambda r: r[0], reverse=True)
for acc, c, _ in runs:
    print('%.3f' % acc, c)
best_model = runs[0][2]
