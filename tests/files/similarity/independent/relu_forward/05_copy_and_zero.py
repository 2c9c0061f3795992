def relu_forward(x):
    """
    Computes the forward pass for a layer of rectified linear units (ReLUs).

    Input:
    - x: Inputs, of any shape

    Returns a tuple of:
    - out: Output, of the same shape as x
    - cache: x
    """
    out = None
    # TODO: Implement the ReLU forward pass.
    # YOUR CODE HERE
    out = x.copy()  # don't touch the caller's array
    negative = out < 0
    out[negative] = 0
    cache = x
    return out, cache
