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

    num = x.shape[ 0 ]
    xflat = x.reshape( num, -1 )

    D, M = w.shape
    dw = np.zeros( (D, M) )
    db = np.zeros( M )
    dx_flat = np.zeros( (num, D) )

    # one output unit (column of w) at a time
    for m in range( M ):

        g = dout[ :, m ]

        dw[ :, m ] = xflat.T.dot( g )
        db[ m ] = g.sum()
        dx_flat += np.outer( g, w[ :, m ] )

    dx = dx_flat.reshape( x.shape )
    return dx, dw, db
