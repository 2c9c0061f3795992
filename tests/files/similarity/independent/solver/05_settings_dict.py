model = None
solver = None
# TODO: Use a Solver instance to train a TwoLayerNet that reaches the validation accuracy
# the course asks for (printed by the cell below).
# YOUR CODE HERE
net_settings = {
    "input_dim": input_dim,
    "hidden_dim": 256,
    "num_classes": num_classes,
    "weight_scale": 0.01,
    "reg": 1e-4,
}
train_settings = {
    "update_rule": "sgd",
    "optim_config": {"learning_rate": 0.5},
    "lr_decay": 0.95,
    "num_epochs": 20,
    "batch_size": 50,
    "verbose": False,
}
model = TwoLayerNet(**net_settings)
solver = Solver(model, data, **train_settings)
solver.train()
print(f"validation accuracy: {solver.best_val_acc:.3f}")
