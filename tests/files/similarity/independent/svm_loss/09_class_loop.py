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
    N, C = x.shape
    rows = np.arange(N)
    correct = x[rows, y]
    loss = 0.0
    dx = np.zeros((N, C))
    # loop over the classes, vectorised over the samples
    for c in range(C):
        other = y != c
        margin = x[:, c] - correct + 1
        positive = other & (margin > 0)
        loss += margin[positive].sum()
        dx[positive, c] += 1
        dx[rows[positive], y[positive]] -= 1
    loss = loss / N
    dx = dx / N
    return loss, dx
