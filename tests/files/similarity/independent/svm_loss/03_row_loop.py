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
    n = len(y)
    total = 0.0
    grad = np.zeros_like(x, dtype=np.float64)
    for i in range(n):
        s = x[i]
        m = s - s[y[i]] + 1
        m[y[i]] = 0
        hinge = m > 0
        total += m[hinge].sum()
        grad[i, hinge] = 1
        grad[i, y[i]] = -hinge.sum()
    loss = total / n
    dx = grad / n
    return loss, dx
