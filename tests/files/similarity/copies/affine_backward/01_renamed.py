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
    batch_size = x.shape[0]
    inp = np.reshape(x, (batch_size, -1))       # (N, D)
    grad_inp = np.matmul(dout, w.T)             # (N, M) x (M, D) = (N, D)
    dx = np.reshape(grad_inp, x.shape)          # (N, d_1, ..., d_k)
    dw = np.matmul(inp.T, dout)                 # (D, N) x (N, M) = (D, M)
    db = np.matmul(np.ones(batch_size), dout)   # (N,) x (N, M) = (M,)
    return dx, dw, db
