model = None
solver = None
# TODO: Use a Solver instance to train a TwoLayerNet that reaches the validation accuracy
# the course asks for (printed by the cell below).
# YOUR CODE HERE
if data['name'] == 'digits':
    # tiny images, the default init is very small so it needs a big step
    lr, epochs, hidden = 0.8, 25, 80
else:
    lr, epochs, hidden = 1e-3, 8, 150
model = TwoLayerNet(input_dim, hidden, num_classes)
solver = Solver(model, data, optim_config={'learning_rate': lr}, num_epochs=epochs,
                batch_size=128, lr_decay=0.97, verbose=True, print_every=100)
solver.train()
print('best val acc', solver.best_val_acc)
