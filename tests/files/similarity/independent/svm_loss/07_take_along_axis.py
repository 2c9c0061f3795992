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
    batch = x.shape[0]
    s_y = np.take_along_axis(x, y[:, None], axis=1)   # (N, 1)
    L = x - s_y + 1.0
    np.put_along_axis(L, y[:, None], 0.0, axis=1)
    L[L < 0] = 0.0
    loss = L.sum() / batch
    # gradient
    ind = (L > 0) * 1.0
    np.put_along_axis(ind, y[:, None], -ind.sum(axis=1, keepdims=True), axis=1)
    dx = ind / batch
    return loss, dx
