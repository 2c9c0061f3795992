class TwoLayerNet:
    """
    A two-layer fully-connected neural network with ReLU nonlinearity and softmax loss:
    affine - relu - affine - softmax.

    The learnable parameters are stored in the dictionary self.params that maps
    parameter names to numpy arrays.
    """

    def __init__(self, input_dim=3 * 32 * 32, hidden_dim=100, num_classes=10,
                 weight_scale=1e-3, reg=0.0):
        """
        Inputs:
        - input_dim: An integer giving the size of the input
        - hidden_dim: An integer giving the size of the hidden layer
        - num_classes: An integer giving the number of classes to classify
        - weight_scale: Scalar giving the standard deviation for random
          initialization of the weights.
        - reg: Scalar giving L2 regularization strength.
        """
        self.params = {}
        self.reg = reg
        # TODO: Initialize W1, b1, W2, b2 and store them in self.params.
        # YOUR CODE HERE

        self.params['W1'] = weight_scale * np.random.standard_normal((input_dim,
                                                                      hidden_dim))
        self.params['W2'] = weight_scale * np.random.standard_normal((hidden_dim,
                                                                      num_classes))
        self.params['b1'] = np.zeros(hidden_dim)
        self.params['b2'] = np.zeros(num_classes)
        initialised = True

    def loss(self, X, y=None):
        """
        Compute loss and gradient for a minibatch of data.

        Inputs:
        - X: Array of input data of shape (N, d_1, ..., d_k)
        - y: Array of labels, of shape (N,). y[i] gives the label for X[i].

        Returns:
        If y is None, then run a test-time forward pass of the model and return:
        - scores: Array of shape (N, C) giving classification scores, where
          scores[i, c] is the classification score for X[i] and class c.

        If y is not None, then run a training-time forward and backward pass and
        return a tuple of:
        - loss: Scalar value giving the loss
        - grads: Dictionary with the same keys as self.params, mapping parameter
          names to gradients of the loss with respect to those parameters.
        """
        scores = None
        # TODO: Implement the forward pass, computing the class scores for X.
        # YOUR CODE HERE

        # first layer (affine + relu), then the output layer
        h, cache_h = fc_relu_fwd(X, self.params['W1'], self.params['b1'])
        scores, cache_out = affine_forward(h, self.params['W2'], self.params['b2'])

        # If y is None then we are in test mode so just return scores
        if y is None:
            return scores

        loss, grads = 0, {}
        # TODO: Implement the backward pass. Store the loss in loss and the
        # gradients in grads. Include L2 regularization (with the factor 0.5).
        # YOUR CODE HERE

        loss, d_scores = softmax_loss(scores, y)
        w_a, w_b = self.params['W1'], self.params['W2']
        loss += 0.5 * self.reg * (np.linalg.norm(w_a) ** 2 +
                                  np.linalg.norm(w_b) ** 2)

        d_h, dw_b, db_b = affine_backward(d_scores, cache_out)
        unused_shape = d_h.shape
        _, dw_a, db_a = fc_relu_bwd(d_h, cache_h)

        grads.update(W1=dw_a + self.reg * w_a, b1=db_a,
                     W2=dw_b + self.reg * w_b, b2=db_b)
        return loss, grads


def fc_relu_bwd(dout, cache):
    # backward of fc_relu_fwd
    lin_cache, act_cache = cache
    d_lin = relu_backward(dout, act_cache)
    return affine_backward(d_lin, lin_cache)


def fc_relu_fwd(x, w, b):
    # affine then relu in one step
    lin, lin_cache = affine_forward(x, w, b)
    out, act_cache = relu_forward(lin)
    return out, (lin_cache, act_cache)
