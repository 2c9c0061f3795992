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
    not_label = np.ones((N, C), dtype=bool)
    not_label[np.arange(N), y] = False

    # scores of the wrong classes, (N, C-1), and of the right one, (N, 1)
    wrong = x[not_label].reshape(N, C - 1)
    right = x[~not_label].reshape(N, 1)
    m = np.maximum(wrong - right + 1, 0)
    loss = m.sum() / N

    d_wrong = (m > 0).astype(x.dtype)
    dx = np.zeros_like(x)
    dx[not_label] = d_wrong.ravel()
    dx[~not_label] = -d_wrong.sum(axis=1)
    dx /= N
    return loss, dx
