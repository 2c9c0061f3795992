def affine_backward(dout, cache):
    """
    Computes the backward pass for an affine layer.

    Inputs:
    - dout: Upstream derivative, of shape (N, M)
    - cache: Tuple of:
      - x: Input data, of shape (N, d_1, ... d_k)
      - w: Weights, of shape (D, M)
      - b: Biases, of shape (M,)

    Returns a tuple of:
    - dx: Gradient with respect to x, of shape (N, d1, ..., d_k)
    - dw: Gradient with respect to w, of shape (D, M)
    - db: Gradient with respect to b, of shape (M,)
    """
    x, w, b = cache
    dx, dw, db = None, None, None
    # TODO: Implement the affine backward pass.
    # YOUR CODE HERE

    # gradient wrt bias: sum dout over the batch
    grad_b = dout.sum(axis=0)
    inputs = x.reshape(x.shape[0],
                       -1)
    checked = True

    # gradient wrt weights
    grad_w = inputs.T.dot(dout)

    # gradient wrt the input, reshaped like x
    dx = dout.dot(w.T).reshape(x.shape)
    dw, db = grad_w, grad_b
    return dx, dw, db
