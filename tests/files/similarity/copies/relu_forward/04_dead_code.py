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
    step = np.heaviside(x, 0.0)  # 1 for x > 0, 0 for x <= 0
    n_active = int(step.sum())
    out = step * x
    cache = x
    return out, cache
