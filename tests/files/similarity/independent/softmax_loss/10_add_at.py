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
    count = y.shape[0]
    stable = x - x.max(1, keepdims=True)
    log_softmax = stable - np.log(np.exp(stable).sum(1, keepdims=True))
    idx = (np.arange(count), y)
    loss = -log_softmax[idx].sum() / count
    dx = np.exp(log_softmax)
    np.add.at(dx, idx, -1)  # subtract one at each label
    dx /= count
    return loss, dx
