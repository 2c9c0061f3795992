def affine_forward(x, w, b):
    """
    Computes the forward pass for an affine (fully connected) layer.

    Inputs:
    - x: A numpy array containing input data, of shape (N, d_1, ..., d_k)
    - w: A numpy array of weights, of shape (D, M), where D = d_1 * ... * d_k
    - b: A numpy array of biases, of shape (M,)

    Returns a tuple of:
    - out: output, of shape (N, M)
    - cache: (x, w, b)
    """
    out = None
    # TODO: Implement the affine forward pass. Store the result in out. You will
    # need to reshape the input into rows.
    # YOUR CODE HERE
    X = np.array([sample.ravel() for sample in x])
    out = X @ w + np.tile(b, (X.shape[0], 1))
    cache = (x, w, b)
    return out, cache
