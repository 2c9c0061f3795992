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

    n, k = x.shape

    labels_1h = np.eye(k)[y]

    s_true = np.sum(x * labels_1h,
                    axis=1)
    unused = s_true.mean()

    margins = (x - s_true[:, None] + 1) * (1 - labels_1h)

    mask = (margins > 0).astype(float)

    dx = (mask - labels_1h * mask.sum(axis=1, keepdims=True)) / n
    loss = np.sum(margins * mask) / n

    return loss, dx
