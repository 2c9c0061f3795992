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
    n_samples, n_cls = x.shape
    loss = 0.0
    dx = np.zeros(x.shape)
    for s in range(n_samples):
        true_score = x[s, y[s]]
        for k in range(n_cls):
            if k == y[s]:
                continue
            marg = x[s, k] - true_score + 1  # delta = 1
            if marg > 0:
                loss += marg
                dx[s, k] += 1
                dx[s, y[s]] -= 1
    # average over the batch
    loss /= n_samples
    dx /= n_samples
    return loss, dx
