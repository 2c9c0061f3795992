def cross_entropy(probs, labels):
    picked = probs[np.arange(len(labels)), labels]
    return -np.log(picked).mean()


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
    P = stable_softmax(x)
    loss = cross_entropy(P, y)
    dx = P
    dx[np.arange(x.shape[0]), y] -= 1
    dx = dx / x.shape[0]
    return loss, dx


def stable_softmax(scores):
    """Row-wise softmax that does not overflow for large scores."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    exps = np.exp(shifted)
    return exps / exps.sum(axis=1, keepdims=True)
