best_model = None
# TODO: Tune hyperparameters using the validation set. Store your best trained model in best_model.
# YOUR CODE HERE
lr_values = [0.5, 1.0]
reg_values = [0.0, 1e-3]
hidden_sizes = [64, 128]
top_acc = -1
scores = {}
for rate in lr_values:
    for lam in reg_values:
        for size in hidden_sizes:
            net = TwoLayerNet(input_dim=input_dim, hidden_dim=size, num_classes=num_classes, reg=lam)
            sol = Solver(net, data, optim_config={'learning_rate': rate},
                         lr_decay=0.95, num_epochs=25, batch_size=100, verbose=False)
            sol.train()
            acc = sol.best_val_acc
            scores[(rate, lam, size)] = acc
            search.record(net, sol, learning_rate=rate, reg=lam, hidden_dim=size, num_epochs=25)
            if acc > top_acc:
                top_acc = acc
                best_model = net

for rate, lam, size in sorted(scores):
    print('lr:', rate, 'reg:', lam, 'hidden:', size, 'val accuracy:', scores[(rate, lam, size)])
print('best accuracy is:', top_acc)
