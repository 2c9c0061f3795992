model = None
solver = None
# TODO: Use a Solver instance to train a TwoLayerNet that reaches the validation accuracy
# the course asks for (printed by the cell below).
# YOUR CODE HERE
H = 400  # more hidden units than the default
model = TwoLayerNet(input_dim=input_dim, hidden_dim=H, num_classes=num_classes, weight_scale=5e-3)
solver = Solver(model, data, optim_config={'learning_rate': 0.5},
                lr_decay=0.9, num_epochs=10, batch_size=50, print_every=100)
solver.train()
