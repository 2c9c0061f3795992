best_model = None
# TODO: Tune hyperparameters using the validation set. Store your best trained model in best_model.
# YOUR CODE HERE

n_tries = 8
samples = []

for _ in range(n_tries):
    samples.append({"learning_rate": 10 ** np.random.uniform(-0.5, 0.3),
                    "num_epochs": 20,
                    "hidden_dim": int(np.random.choice([50, 100, 150])),
                    "reg": 10 ** np.random.uniform(-5, -2.5)})
total_epochs = n_tries * 20

# train every sample and log it
for s in search.progress(samples):

    clf = TwoLayerNet(input_dim=input_dim, hidden_dim=s["hidden_dim"],
                      num_classes=num_classes, reg=s["reg"])

    opt = Solver(clf, data,
                 optim_config={"learning_rate": s["learning_rate"]},
                 num_epochs=s["num_epochs"], batch_size=100,
                 lr_decay=0.95, verbose=False)
    opt.train()

    search.record(clf, opt, **s)

print(search)
best_model = search.best_model
