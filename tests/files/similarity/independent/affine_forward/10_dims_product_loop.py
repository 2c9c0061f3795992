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

    ## size of one example = product of the trailing dims
    d = 1
    for s in x.shape[1:]:
        d *= s
    xr = x.reshape((x.shape[0], d))

    ## affine: x W + b  (b broadcasts over the rows)
    out = np.add(np.dot(xr, w), b)

    cache = (x, w, b)
    return out, cache
