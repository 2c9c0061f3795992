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
    num_samples, num_classes = x.shape
    one_hot = np.eye(num_classes)[y]            # (N, C), 1 at the label
    true_score = np.sum(x * one_hot, axis=1)    # (N,)
    margin = x - true_score[:, None] + 1
    margin = margin * (1 - one_hot)             # drop j == y_i
    active = (margin > 0).astype(float)
    loss = np.sum(margin * active) / num_samples
    dx = (active - one_hot * active.sum(axis=1, keepdims=True)) / num_samples
    return loss, dx
