model = None
solver = None
# TODO: Use a Solver instance to train a TwoLayerNet that reaches the validation accuracy
# the course asks for (printed by the cell below).
# YOUR CODE HERE
def adam_step(param, grad, cfg=None):
    cfg = {} if cfg is None else cfg
    b1 = cfg.setdefault("beta1", 0.9)
    b2 = cfg.setdefault("beta2", 0.999)
    step = cfg.setdefault("learning_rate", 1e-3)
    tiny = cfg.setdefault("epsilon", 1e-8)

    cfg["t"] = cfg.get("t", 0) + 1
    cfg["m"] = b1 * cfg.get("m", 0) + (1 - b1) * grad
    cfg["v"] = b2 * cfg.get("v", 0) + (1 - b2) * grad * grad
    first = cfg["m"] / (1 - b1 ** cfg["t"])
    second = cfg["v"] / (1 - b2 ** cfg["t"])
    return param - step * first / (np.sqrt(second) + tiny), cfg


unused_lr_list = [1e-3, 5e-3]

model = TwoLayerNet(input_dim=input_dim,
                    hidden_dim=100,
                    num_classes=num_classes,
                    weight_scale=0.01)

solver = Solver(model, data,
                update_rule=adam_step,
                optim_config={"learning_rate": 5e-3},
                batch_size=100,
                num_epochs=10,
                verbose=False)
solver.train()
