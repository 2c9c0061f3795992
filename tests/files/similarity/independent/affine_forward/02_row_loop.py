def affine_forward(x, w, b):
    """
    Computes the forward pass for an affine (fully connected) layer.

    Inputs:
    - x: A numpy array containing input data, of shape (N, d_1, ..., d_k)
    - w: A numpy array of weights, of shape (D, M), where D = d_1 * ... * d_k
    - b: A numpy array of biases, of shape (M,)

    Returns a tuple of:
    - out: output, of shape (N, M)
    - cache: (x, w, b)
    """
    out = None
    # TODO: Implement the affine forward pass. Store the result in out. You will
    # need to reshape the input into rows.
    num_examples = x.shape[0]
    num_outputs = w.shape[1]
    out = np.zeros((num_examples, num_outputs))
    # go through the examples one at a time
    for n in range(num_examples):
        flat_row = x[n].flatten()
        out[n] = np.dot(flat_row, w) + b
    cache = (x, w, b)
    return out, cache
