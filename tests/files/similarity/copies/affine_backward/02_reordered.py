def grad_input(dout, w, shape):
    return (dout @ w.T).reshape(shape)


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
    db = dout.sum(0)
    dw = as_matrix(x).T @ dout
    dx = grad_input(dout, w, x.shape)
    return dx, dw, db


def as_matrix(t):
    # keep the first axis, squash the rest
    return t.reshape(t.shape[0], -1)
