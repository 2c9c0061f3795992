best_model = None
# TODO: Tune hyperparameters using the validation set. Store your best trained model in best_model.
# YOUR CODE HERE

# step 1: coarse sweep of the learning rate, short runs
coarse = {}
for lr in [0.01, 0.1, 1.0, 10.0]:
    m = TwoLayerNet(input_dim=input_dim, hidden_dim=100, num_classes=num_classes)
    sv = Solver(m, data, optim_config={'learning_rate': lr}, num_epochs=5, batch_size=100, verbose=False)
    sv.train()
    coarse[lr] = sv.best_val_acc
best_lr = max(coarse, key=coarse.get)
print('coarse:', coarse, '-> around', best_lr)

# step 2: finer around the best one, longer runs, and a little weight decay
best_acc = 0
for factor in [0.5, 1.0, 2.0]:
    for reg in [0.0, 1e-3]:
        lr = best_lr * factor
        m = TwoLayerNet(input_dim=input_dim, hidden_dim=100, num_classes=num_classes, reg=reg)
        sv = Solver(m, data, optim_config={'learning_rate': lr}, num_epochs=25,
                    batch_size=100, lr_decay=0.95, verbose=False)
        sv.train()
        search.record(m, sv, learning_rate=lr, reg=reg, hidden_dim=100, num_epochs=25)
        if sv.best_val_acc > best_acc:
            best_acc = sv.best_val_acc
            best_model = m
print('best validation accuracy', best_acc)
