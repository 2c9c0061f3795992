def relu_derivative(z):
    """1.0 where z > 0, else 0.0"""
    return (z > 0).astype(float)


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
    dx = relu_derivative(x) * dout
    return dx
