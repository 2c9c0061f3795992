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
    dx = np.zeros_like(x, dtype=float)
    dw = np.zeros_like(w, dtype=float)
    db = np.zeros_like(b, dtype=float)
    for i in range(N):
        xi = x[i].reshape(-1)
        # out[i] = xi @ w + b, so each sample adds its own share
        dw += np.outer(xi, dout[i])
        db += dout[i]
        dx[i] = (w @ dout[i]).reshape(x[i].shape)
    return dx, dw, db
