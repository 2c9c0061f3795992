def relu_backward(dout, cache):
    """
    Computes the backward pass for a layer of rectified linear units (ReLUs).

    Input:
    - dout: Upstream derivatives, of any shape
    - cache: Input x, of same shape as dout

    Returns:
    - dx: Gradient with respect to x
    """
    dx, x = None, cache
    # TODO: Implement the ReLU backward pass.
    # YOUR CODE HERE
    g = np.zeros(dout.size)
    xs = x.reshape(-1)
    upstream = dout.reshape(-1)
    for i in range(xs.size):
        if xs[i] > 0:
            g[i] = upstream[i]
    dx = g.reshape(dout.shape)
    return dx
