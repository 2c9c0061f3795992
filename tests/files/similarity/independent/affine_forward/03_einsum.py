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
    # YOUR CODE HERE
    N = len(x)
    X2d = np.reshape(x, (N, -1))
    out = np.einsum('nd,dm->nm', X2d, w) + b[None, :]
    cache = (x, w, b)
    return out, cache
