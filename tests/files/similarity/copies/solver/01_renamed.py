model = None
solver = None
# TODO: Use a Solver instance to train a TwoLayerNet that reaches the validation accuracy
# the course asks for (printed by the cell below).
# YOUR CODE HERE
clf = TwoLayerNet(input_dim=input_dim, hidden_dim=50, num_classes=num_classes,
                  weight_scale=0.05, reg=0.001)
trainer = Solver(clf, data, optim_config=dict(learning_rate=0.2), batch_size=32,
                 num_epochs=15, lr_decay=0.9, print_every=200)
trainer.train()
model, solver = clf, trainer
