model = None
solver = None
# TODO: Use a Solver instance to train a TwoLayerNet that reaches the validation accuracy
# the course asks for (printed by the cell below).
# YOUR CODE HERE
def adam(w, dw, config=None):
    # Adam from the lecture slides; the Solver keeps one config per parameter
    config = {} if config is None else config
    lr = config.setdefault("learning_rate", 1e-3)
    beta1 = config.setdefault("beta1", 0.9)
    beta2 = config.setdefault("beta2", 0.999)
    eps = config.setdefault("epsilon", 1e-8)
    config["t"] = config.get("t", 0) + 1
    config["m"] = beta1 * config.get("m", 0) + (1 - beta1) * dw
    config["v"] = beta2 * config.get("v", 0) + (1 - beta2) * dw * dw
    m_hat = config["m"] / (1 - beta1 ** config["t"])
    v_hat = config["v"] / (1 - beta2 ** config["t"])
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), config


model = TwoLayerNet(input_dim=input_dim, hidden_dim=100, num_classes=num_classes, weight_scale=0.01)
solver = Solver(model, data, update_rule=adam, optim_config={"learning_rate": 5e-3},
                num_epochs=10, batch_size=100, verbose=False)
solver.train()
