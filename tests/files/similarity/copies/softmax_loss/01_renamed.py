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
    batch = x.shape[0]
    mx = np.max(x, axis=1)
    ex = np.exp(x - mx[:, np.newaxis])
    total = np.sum(ex, axis=1)
    p = ex / total[:, np.newaxis]

    p_true = p[range(batch), y]
    loss = -np.sum(np.log(p_true))
    loss = loss / batch

    # d loss / d x = softmax - one_hot(y), averaged over the batch
    g = p
    g[range(batch), y] = g[range(batch), y] - 1
    dx = g / batch
    return loss, dx
