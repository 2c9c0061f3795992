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

    local_grad = (x > 0).astype(
        dout.dtype
    )  # derivative of max(0, x)

    dx = local_grad * dout  # chain rule

    return dx
