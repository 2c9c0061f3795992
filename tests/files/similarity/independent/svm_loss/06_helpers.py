def hinge_margins(scores, labels, delta=1.0):
    """max(0, s_j - s_y + delta) for every class j != y, 0 for j == y."""
    rows = np.arange(scores.shape[0])
    m = np.maximum(0.0, scores - scores[rows, labels][:, None] + delta)
    m[rows, labels] = 0.0
    return m


def hinge_grad(margins, labels):
    g = (margins > 0).astype(np.float64)
    g[np.arange(len(labels)), labels] = -g.sum(axis=1)
    return g


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
    N = x.shape[0]
    margins = hinge_margins(x, y)
    loss = margins.sum() / N
    dx = hinge_grad(margins, y) / N
    return loss, dx
