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
    N = len(y)
    # log sum exp trick: lse = m + log(sum(exp(x - m)))
    m = x.max(axis=1)
    lse = m + np.log(np.exp(x - m[:, None]).sum(axis=1))
    # loss_i = lse_i - x_i,y_i
    loss = np.mean(lse - x[np.arange(N), y])
    p = np.exp(x - lse[:, None])
    p[np.arange(N), y] -= 1.0
    dx = p / N
    return loss, dx
