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
    # my affine_forward keeps a dict: the rows of x, w and the shape of x
    x_rows, w, x_shape = cache['x_rows'], cache['w'], cache['x_shape']
    dx, dw, db = None, None, None
    # TODO: Implement the affine backward pass.
    # YOUR CODE HERE
    dw = x_rows.T @ dout
    db = dout.sum(axis=0)
    dx = (dout @ w.T).reshape(x_shape)
    return dx, dw, db
