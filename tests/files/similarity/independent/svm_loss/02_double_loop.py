def svm_loss(x, y):
    """
    Computes the loss and gradient using for multiclass SVM classification.

    Inputs:
    - x: Input data, of shape (N, C) where x[i, j] is the score for the jth
      class for the ith input.
    - y: Vector of labels, of shape (N,) where y[i] is the label for x[i] and
      0 <= y[i] < C

    Returns a tuple of:
    - loss: Scalar giving the loss
    - dx: Gradient of the loss with respect to x
    """
    loss, dx = None, None
    # TODO: Implement the multiclass SVM loss and its gradient.
    # YOUR CODE HERE
    num_train, num_classes = x.shape
    loss = 0.0
    dx = np.zeros(x.shape)
    for i in range(num_train):
        correct = x[i, y[i]]
        for j in range(num_classes):
            if j == y[i]:
                continue
            margin = x[i, j] - correct + 1  # delta = 1
            if margin > 0:
                loss += margin
                dx[i, j] += 1
                dx[i, y[i]] -= 1
    # average over the batch
    loss /= num_train
    dx /= num_train
    return loss, dx
