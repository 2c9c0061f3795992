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
    N = x.shape[0]
    x_mat = np.reshape(x, (N, -1))        # (N, D)
    dx_mat = np.matmul(dout, w.T)         # (N, M) x (M, D) = (N, D)
    dx = np.reshape(dx_mat, x.shape)      # (N, d_1, ..., d_k)
    dw = np.matmul(x_mat.T, dout)         # (D, N) x (N, M) = (D, M)
    db = np.matmul(np.ones(N), dout)      # (N,) x (N, M) = (M,)
    return dx, dw, db
