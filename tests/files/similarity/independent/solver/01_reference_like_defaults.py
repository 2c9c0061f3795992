model = None
solver = None
# TODO: Use a Solver instance to train a TwoLayerNet that reaches the validation accuracy
# the course asks for (printed by the cell below).
# YOUR CODE HERE
model = TwoLayerNet(input_dim=input_dim, hidden_dim=64, num_classes=num_classes, weight_scale=0.1)
solver = Solver(model, data,
                update_rule='sgd',
                optim_config={'learning_rate': 0.5},
                lr_decay=0.95,
                num_epochs=15, batch_size=100,
                print_every=50)
solver.train()
