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
    N = x.shape[0]
    row_max = np.max(x, axis=1)
    e_x = np.exp(x - row_max[:, np.newaxis])
    denom = np.sum(e_x, axis=1)
    prob = e_x / denom[:, np.newaxis]

    correct_prob = prob[range(N), y]
    loss = -np.sum(np.log(correct_prob))
    loss = loss / N

    # d loss / d x = softmax - one_hot(y), averaged over the batch
    grad = prob
    grad[range(N), y] = grad[range(N), y] - 1
    dx = grad / N
    return loss, dx
