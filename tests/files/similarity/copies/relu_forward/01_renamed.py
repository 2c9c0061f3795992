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
    res = x.copy()  # don't touch the caller's array
    below_zero = res < 0
    res[below_zero] = 0
    out = res
    cache = x
    return out, cache
