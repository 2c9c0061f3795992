model = None
solver = None
# TODO: Use a Solver instance to train a TwoLayerNet that reaches the validation accuracy
# the course asks for (printed by the cell below).
# YOUR CODE HERE
model = TwoLayerNet(input_dim=input_dim, hidden_dim=120, num_classes=num_classes, weight_scale=1e-2)


def sgd_momentum(w, dw, config=None):
    """SGD with momentum (the Solver accepts a function as update_rule)."""
    if config is None:
        config = {}
    config.setdefault('momentum', 0.9)
    config.setdefault('learning_rate', 1e-2)
    v = config.get('velocity', np.zeros_like(w))
    v = config['momentum'] * v - config['learning_rate'] * dw
    next_w = w + v
    config['velocity'] = v
    return next_w, config


solver = Solver(model, data, num_epochs=12, batch_size=64, lr_decay=0.9,
                update_rule=sgd_momentum, print_every=100,
                optim_config={'momentum': 0.9, 'learning_rate': 0.05})
solver.train()
