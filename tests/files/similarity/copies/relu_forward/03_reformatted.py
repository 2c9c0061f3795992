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

    values = x.ravel()

    result = np.zeros(values.shape)

    for idx in range(values.size):
        if values[idx] > 0: result[idx] = values[idx]

    out = result.reshape(
        x.shape
    )
    cache = x
    return out, cache
