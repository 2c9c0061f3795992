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
    # naive version first, to be sure I understand the shapes
    n_samples = x.shape[0]
    n_in, n_out = w.shape
    flat = x.reshape(n_samples, n_in)
    out = np.empty((n_samples, n_out))
    for i in range(n_samples):
        for j in range(n_out):
            total = b[j]
            for k in range(n_in):
                total += flat[i, k] * w[k, j]
            out[i, j] = total
    cache = (x, w, b)
    return out, cache
