best_model = None
# TODO: Tune hyperparameters using the validation set. Store your best trained model in best_model.
# YOUR CODE HERE


def train_one(lr, reg, hidden, epochs=25):
    """Train a net with these settings, return (validation accuracy, net)."""
    net = TwoLayerNet(input_dim=input_dim, hidden_dim=hidden, num_classes=num_classes, reg=reg)
    sol = Solver(net, data, optim_config={"learning_rate": lr}, lr_decay=0.9,
                 num_epochs=epochs, batch_size=64, verbose=False)
    sol.train()
    search.record(net, sol, learning_rate=lr, reg=reg, hidden_dim=hidden, num_epochs=epochs)
    return sol.best_val_acc, net


candidates = [(lr, reg, h) for lr in (0.4, 0.8) for reg in (0.0, 5e-4) for h in (80, 160)]
scored = [train_one(*cand) for cand in candidates]
best_acc, best_model = max(scored, key=lambda pair: pair[0])
print("best:", best_acc)
