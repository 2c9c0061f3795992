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
    grad = np.zeros(dout.size)
    flat_x = x.reshape(-1)
    flat_up = dout.reshape(-1)
    for k in range(flat_x.size):
        if flat_x[k] > 0:
            grad[k] = flat_up[k]
    dx = grad.reshape(dout.shape)
    return dx
