model = None
solver = None
# TODO: Use a Solver instance to train a TwoLayerNet that reaches the validation accuracy
# the course asks for (printed by the cell below).
# YOUR CODE HERE
# Plain gradient descent: one batch = the whole training set, so an "epoch" is one step.
n_train = data['X_train'].shape[0]
model = TwoLayerNet(input_dim=input_dim, hidden_dim=100, num_classes=num_classes, weight_scale=0.1)
solver = Solver(model, data, optim_config={'learning_rate': 0.5}, batch_size=n_train,
                num_epochs=300, lr_decay=1.0, print_every=1000, verbose=False)
solver.train()
print('train acc %.3f, val acc %.3f' % (solver.train_acc_history[-1], solver.best_val_acc))
