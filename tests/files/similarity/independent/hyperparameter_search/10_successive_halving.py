best_model = None
# TODO: Tune hyperparameters using the validation set. Store your best trained model in best_model.
# YOUR CODE HERE
# Successive halving: many configs for a few epochs, keep the better half, train those longer.
pool = [{'lr': lr, 'reg': reg, 'hidden': h}
        for lr in (0.3, 1.0, 3.0) for reg in (0.0, 1e-3) for h in (64, 192)]
epochs = 4
while True:
    scored = []
    for p in pool:
        model = TwoLayerNet(input_dim=input_dim, hidden_dim=p['hidden'], num_classes=num_classes, reg=p['reg'])
        solver = Solver(model, data, optim_config={'learning_rate': p['lr']}, num_epochs=epochs,
                        batch_size=100, lr_decay=0.95, verbose=False)
        solver.train()
        scored.append((solver.best_val_acc, p, model, solver))
    scored.sort(key=lambda t: -t[0])
    print(f'{epochs} epochs: best {scored[0][0]:.3f} with {scored[0][1]}')
    if len(pool) == 1:
        break
    pool = [p for _, p, _, _ in scored[:max(1, len(pool) // 2)]]
    epochs *= 2

acc, p, best_model, best_solver = scored[0]
search.record(best_model, best_solver, learning_rate=p['lr'], reg=p['reg'], hidden_dim=p['hidden'],
              num_epochs=epochs)
