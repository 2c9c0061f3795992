def relu_backward(dout, cache):
    """
    Computes the backward pass for a layer of rectified linear units (ReLUs).

    Input:
    - dout: Upstream derivatives, of any shape
    - cache: Input x, of same shape as dout

    Returns:
    - dx: Gradient with respect to x
    """
    # my forward pass caches its output, which is positive exactly where x was
    dx, relu_out = None, cache
    # TODO: Implement the ReLU backward pass.
    # YOUR CODE HERE
    dx = dout * np.sign(relu_out)
    return dx
