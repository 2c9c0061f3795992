best_model = None
# TODO: Tune hyperparameters using the validation set. Store your best trained model in best_model.
# YOUR CODE HERE
# Random search (Bergstra & Bengio): sample lr and reg on a log scale.
num_trials = 8
trials = []
for _ in range(num_trials):
    trials.append({
        "learning_rate": 10 ** np.random.uniform(-0.5, 0.3),
        "reg": 10 ** np.random.uniform(-5, -2.5),
        "hidden_dim": int(np.random.choice([50, 100, 150])),
        "num_epochs": 20,
    })

for cfg in search.progress(trials):
    net = TwoLayerNet(input_dim=input_dim, hidden_dim=cfg["hidden_dim"],
                      num_classes=num_classes, reg=cfg["reg"])
    trainer = Solver(net, data, optim_config={"learning_rate": cfg["learning_rate"]},
                     num_epochs=cfg["num_epochs"], batch_size=100, lr_decay=0.95, verbose=False)
    trainer.train()
    search.record(net, trainer, **cfg)

best_model = search.best_model
print(search)
