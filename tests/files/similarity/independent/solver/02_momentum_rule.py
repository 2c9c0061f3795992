model = None
solver = None
# TODO: Use a Solver instance to train a TwoLayerNet that reaches the validation accuracy
# the course asks for (printed by the cell below).
# YOUR CODE HERE


def sgd_momentum(w, dw, config=None):
    """SGD with momentum (the Solver accepts a function as update_rule)."""
    if config is None:
        config = {}
    config.setdefault('learning_rate', 1e-2)
    config.setdefault('momentum', 0.9)
    v = config.get('velocity', np.zeros_like(w))
    v = config['momentum'] * v - config['learning_rate'] * dw
    next_w = w + v
    config['velocity'] = v
    return next_w, config


model = TwoLayerNet(input_dim=input_dim, hidden_dim=120, num_classes=num_classes, weight_scale=1e-2)
solver = Solver(model, data, update_rule=sgd_momentum,
                optim_config={'learning_rate': 0.05, 'momentum': 0.9},
                lr_decay=0.9, num_epochs=12, batch_size=64, print_every=100)
solver.train()
