best_model = None
# TODO: Tune hyperparameters using the validation set. Store your best trained model in best_model.
# YOUR CODE HERE

goal = thresholds()['search_val_acc'] + 0.02
best_so_far = 0
done = False

for hidden in (100, 200, 300):

    for lr in (1.0, 0.5, 2.0):

        model = TwoLayerNet(input_dim=input_dim,
                            hidden_dim=hidden,
                            num_classes=num_classes,
                            reg=1e-4)

        solver = Solver(model, data,
                        optim_config={'learning_rate': lr},
                        lr_decay=0.95,
                        num_epochs=30,
                        batch_size=100,
                        verbose=False)
        solver.train()

        search.record(model, solver,
                      learning_rate=lr, reg=1e-4, hidden_dim=hidden, num_epochs=30)

        if solver.best_val_acc > best_so_far: best_so_far, best_model = solver.best_val_acc, model

        if best_so_far >= goal:
            done = True  # good enough, no need to train the rest
            break

    if done: break

print('stopped with', best_so_far)
