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

    # apply max(0, v) to every entry
    f = np.vectorize(lambda val: float(val) if val > 0 else 0.0,
                     otypes=[float])
    debug = False
    out = f(x)

    cache = x
    return out, cache
