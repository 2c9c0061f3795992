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
    num_examples = x.shape[0]
    loss = 0.0
    dx = np.zeros_like(x, dtype=float)
    for i in range(num_examples):
        f = x[i] - np.max(x[i])  # shift so the largest score is 0
        e = np.exp(f)
        softmax = e / np.sum(e)
        loss += -np.log(softmax[y[i]])
        softmax[y[i]] -= 1
        dx[i, :] = softmax
    loss /= num_examples
    dx /= num_examples
    return loss, dx
