import itertools

best_model = None
# TODO: Tune hyperparameters using the validation set. Store your best trained model in best_model.
# YOUR CODE HERE
grid = {
    'learning_rate': [0.3, 1.0, 2.0],
    'reg': [1e-4, 1e-2],
}
best_val = 0.0
for lr, reg in itertools.product(grid['learning_rate'], grid['reg']):
    candidate = TwoLayerNet(input_dim=input_dim, hidden_dim=100, num_classes=num_classes, reg=reg)
    s = Solver(candidate, data, optim_config={'learning_rate': lr}, num_epochs=30,
               batch_size=200, lr_decay=0.95, verbose=False)
    s.train()
    search.record(candidate, s, learning_rate=lr, reg=reg, hidden_dim=100, num_epochs=30)
    print(f'lr={lr:g} reg={reg:g}: val {s.best_val_acc:.3f}')
    if s.best_val_acc > best_val:
        best_val, best_model = s.best_val_acc, candidate
