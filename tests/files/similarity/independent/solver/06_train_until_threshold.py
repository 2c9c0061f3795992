model = None
solver = None
# TODO: Use a Solver instance to train a TwoLayerNet that reaches the validation accuracy
# the course asks for (printed by the cell below).
# YOUR CODE HERE
target = thresholds()['solver_val_acc']
epochs = 5
while True:
    model = TwoLayerNet(input_dim=input_dim, hidden_dim=100, num_classes=num_classes)
    solver = Solver(model, data, optim_config={'learning_rate': 1.5}, lr_decay=0.95,
                    num_epochs=epochs, batch_size=100, verbose=False)
    solver.train()
    print(epochs, 'epochs ->', solver.best_val_acc)
    # stop once it is good enough (with a little margin), or give up at 40 epochs
    if solver.best_val_acc >= target + 0.03 or epochs >= 40:
        break
    epochs *= 2
