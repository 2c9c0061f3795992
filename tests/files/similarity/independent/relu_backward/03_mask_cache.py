def relu_backward(dout, cache):
    """
    Computes the backward pass for a layer of rectified linear units (ReLUs).

    Input:
    - dout: Upstream derivatives, of any shape
    - cache: Input x, of same shape as dout

    Returns:
    - dx: Gradient with respect to x
    """
    # cache is the boolean mask from my relu_forward (True where x > 0)
    dx, mask = None, cache
    # TODO: Implement the ReLU backward pass.
    # YOUR CODE HERE
    dx = dout * mask
    return dx
