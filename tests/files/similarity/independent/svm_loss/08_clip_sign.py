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
    n_ex = x.shape[0]
    r = range(n_ex)
    raw = x - np.expand_dims(x[r, y], 1) + 1
    raw[r, y] = 0
    hinge = np.clip(raw, 0, None)
    loss = hinge.sum() / n_ex
    # sign() of a hinge value is 1 where it is > 0 and 0 where it is 0
    dscores = np.sign(hinge)
    dscores[r, y] = -np.sum(dscores, axis=1)
    dx = dscores / n_ex
    return loss, dx
