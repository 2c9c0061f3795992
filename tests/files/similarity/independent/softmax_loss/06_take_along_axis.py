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
    batch_size = x.shape[0]
    labels = y.reshape(-1, 1)
    logits = x - np.amax(x, axis=1, keepdims=True)
    sum_exp = np.sum(np.exp(logits), axis=1, keepdims=True)
    correct_logit = np.take_along_axis(logits, labels, axis=1)
    loss = float(np.sum(np.log(sum_exp) - correct_logit)) / batch_size
    softmax = np.exp(logits) / sum_exp
    np.put_along_axis(softmax, labels, np.take_along_axis(softmax, labels, axis=1) - 1, axis=1)
    dx = softmax / batch_size
    return loss, dx
