def softmax_loss(x, y):
    """
    Computes the loss and gradient for softmax classification.

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
    # TODO: Implement the softmax loss and its gradient.
    # YOUR CODE HERE

    n = y.shape[0]
    where = (np.arange(n), y)
    z = x - x.max(1,
                  keepdims=True)
    lsm = z - np.log(np.exp(z).sum(1, keepdims=True))
    probs_sum = np.exp(lsm).sum()

    grad = np.exp(lsm)
    np.add.at(grad, where, -1)
    dx = grad / n
    loss = -lsm[where].sum() / n
    return loss, dx
