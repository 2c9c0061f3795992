best_model = None
# TODO: Tune hyperparameters using the validation set. Store your best trained model in best_model.
# YOUR CODE HERE
def momentum_update(w, dw, config=None):
    if config is None:
        config = {}
    mu = config.get('momentum', 0.9)
    velocity = config.get('velocity')
    if velocity is None:
        velocity = np.zeros_like(w)
    velocity = mu * velocity - config.get('learning_rate', 0.01) * dw
    config['velocity'] = velocity
    return w + velocity, config


best = (0.0, None)
for mu in [0.5, 0.9]:
    for lr in [0.05, 0.2]:
        for reg in [0.0, 1e-3]:
            net = TwoLayerNet(input_dim=input_dim, hidden_dim=150, num_classes=num_classes,
                              weight_scale=0.01, reg=reg)
            solver = Solver(net, data, update_rule=momentum_update,
                            optim_config={'learning_rate': lr, 'momentum': mu},
                            num_epochs=15, batch_size=100, lr_decay=0.95, verbose=False)
            solver.train()
            search.record(net, solver, learning_rate=lr, reg=reg, hidden_dim=150, num_epochs=15, momentum=mu)
            if solver.best_val_acc > best[0]:
                best = (solver.best_val_acc, net)
best_model = best[1]
print('best momentum run reached', best[0])
