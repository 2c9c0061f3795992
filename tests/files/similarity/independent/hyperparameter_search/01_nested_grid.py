best_model = None
# TODO: Tune hyperparameters using the validation set. Store your best trained model in best_model.
# YOUR CODE HERE
learning_rates = [0.5, 1.0]
regularization_strengths = [0.0, 1e-3]
hidden_dims = [64, 128]
best_accuracy = -1
results = {}
for lr in learning_rates:
    for reg in regularization_strengths:
        for hd in hidden_dims:
            model = TwoLayerNet(input_dim=input_dim, hidden_dim=hd, num_classes=num_classes, reg=reg)
            solver = Solver(model, data, optim_config={'learning_rate': lr},
                            lr_decay=0.95, num_epochs=25, batch_size=100, verbose=False)
            solver.train()
            accuracy = solver.best_val_acc
            results[(lr, reg, hd)] = accuracy
            search.record(model, solver, learning_rate=lr, reg=reg, hidden_dim=hd, num_epochs=25)
            if accuracy > best_accuracy:
                best_accuracy = accuracy
                best_model = model

for lr, reg, hd in sorted(results):
    print('lr:', lr, 'reg:', reg, 'hidden:', hd, 'val accuracy:', results[(lr, reg, hd)])
print('best accuracy is:', best_accuracy)
