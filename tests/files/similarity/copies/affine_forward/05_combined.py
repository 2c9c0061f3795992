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

    flat_x = x.reshape(len(x),
                       -1)

    result = flat_x @ w
    result += b
    out = result
    tmp_shape = out.shape

    # save for the backward pass
    cache = {'x_shape': x.shape,
             'x_rows': flat_x,
             'w': w}

    return out, cache
