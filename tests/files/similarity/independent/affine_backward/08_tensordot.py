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
    # view w as (d_1, ..., d_k, M), the way my forward pass does
    W = w.reshape(*x.shape[1:], -1)
    dx = np.tensordot(dout, W, axes=([1], [W.ndim - 1]))
    dW = np.tensordot(x, dout, axes=([0], [0]))  # (d_1, ..., d_k, M)
    dw = dW.reshape(w.shape)
    db = dout.sum(axis=0)
    return dx, dw, db
