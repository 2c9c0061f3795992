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
    relu_scalar = np.vectorize(lambda v: float(v) if v > 0 else 0.0, otypes=[float])
    out = relu_scalar(x)
    cache = x
    return out, cache
