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
        self.params.update(
            W1=np.random.randn(input_dim, hidden_dim) * weight_scale,
            b1=np.zeros(hidden_dim),
            W2=np.random.randn(hidden_dim, num_classes) * weight_scale,
            b2=np.zeros(num_classes),
        )

    def _forward(self, X):
        """Scores and everything the backward pass needs."""
        p = self.params
        fc1, c_fc1 = affine_forward(X, p['W1'], p['b1'])
        act, c_relu = relu_forward(fc1)
        out, c_fc2 = affine_forward(act, p['W2'], p['b2'])
        return out, {'fc1': c_fc1, 'relu': c_relu, 'fc2': c_fc2}

    def _backward(self, dout, caches):
        g = {}
        d_act, g['W2'], g['b2'] = affine_backward(dout, caches['fc2'])
        d_fc1 = relu_backward(d_act, caches['relu'])
        _, g['W1'], g['b1'] = affine_backward(d_fc1, caches['fc1'])
        return g

    def _l2(self):
        return 0.5 * self.reg * sum(np.sum(self.params[k] * self.params[k]) for k in ('W1', 'W2'))

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
        scores, caches = self._forward(X)

        # If y is None then we are in test mode so just return scores
        if y is None:
            return scores

        loss, grads = 0, {}
        # TODO: Implement the backward pass. Store the loss in loss and the
        # gradients in grads. Include L2 regularization (with the factor 0.5).
        # YOUR CODE HERE
        data_loss, dout = softmax_loss(scores, y)
        loss = data_loss + self._l2()
        grads = self._backward(dout, caches)
        for k in ('W1', 'W2'):
            grads[k] += self.reg * self.params[k]
        return loss, grads
