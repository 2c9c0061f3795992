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
    N, C = x.shape
    idx = np.arange(N)
    target = x[idx, y].reshape(N, 1)
    diff = x - target + 1
    is_correct = np.zeros((N, C), dtype=bool)
    is_correct[idx, y] = True
    violating = (diff > 0) & ~is_correct
    loss = np.where(violating, diff, 0).sum() / N
    # +1 for every violating class, -(number of violations) for the correct one
    counts = violating.sum(axis=1, keepdims=True)
    dx = np.where(violating, 1.0, 0.0) - np.where(is_correct, counts, 0)
    dx = dx / N
    return loss, dx
