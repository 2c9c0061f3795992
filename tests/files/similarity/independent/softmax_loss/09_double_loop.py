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
    num_train, num_classes = x.shape
    loss = 0.0
    dx = np.zeros((num_train, num_classes))
    for i in range(num_train):
        biggest = max(x[i])
        exps = [np.exp(x[i, j] - biggest) for j in range(num_classes)]
        total = sum(exps)
        loss -= np.log(exps[y[i]] / total)
        for j in range(num_classes):
            p_j = exps[j] / total
            if j == y[i]:
                dx[i, j] = (p_j - 1) / num_train
            else:
                dx[i, j] = p_j / num_train
    loss = loss / num_train
    return loss, dx
