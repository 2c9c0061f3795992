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

    # out = X w + b  =>  dX = dout w^T,  dw = X^T dout,  db = column sums of dout
    n = x.shape[0]
    X = x.reshape(n, -1)

    db = dout.sum(axis=0)

    dw = np.transpose(X) @ dout

    dx = dout @ np.transpose(w)
    dx = dx.reshape(x.shape)

    return dx, dw, db
