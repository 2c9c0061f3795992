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
        self.params['W1'] = self._init_weight(input_dim, hidden_dim, weight_scale)
        self.params['W2'] = self._init_weight(hidden_dim, num_classes, weight_scale)
        self.params['b1'] = np.zeros(hidden_dim)
        self.params['b2'] = np.zeros(num_classes)

    @staticmethod
    def _init_weight(fan_in, fan_out, std):
        # gaussian weights with standard deviation std
        return np.random.normal(loc=0.0, scale=std, size=(fan_in, fan_out))

    @staticmethod
    def _softmax_xent(logits, labels):
        # subtract the max of each row so exp cannot overflow
        z = logits - logits.max(axis=1)[:, None]
        p = np.exp(z) / np.exp(z).sum(axis=1)[:, None]
        m = logits.shape[0]
        nll = -np.log(p[np.arange(m), labels]).sum() / m
        dz = p.copy()
        dz[np.arange(m), labels] -= 1
        return nll, dz / m

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
        out1, cache_a1 = affine_forward(X, self.params['W1'], self.params['b1'])
        out2, cache_r = relu_forward(out1)
        scores, cache_a2 = affine_forward(out2, self.params['W2'], self.params['b2'])

        # If y is None then we are in test mode so just return scores
        if y is None:
            return scores

        loss, grads = 0, {}
        # TODO: Implement the backward pass. Store the loss in loss and the
        # gradients in grads. Include L2 regularization (with the factor 0.5).
        # YOUR CODE HERE
        # data loss and its gradient wrt the scores
        loss, dlogits = self._softmax_xent(scores, y)
        penalty = np.sum(self.params['W1'] ** 2) + np.sum(self.params['W2'] ** 2)
        loss += self.reg * penalty / 2  # L2 with the 1/2

        # backprop through affine -> relu -> affine
        d_out2, grads['W2'], grads['b2'] = affine_backward(dlogits, cache_a2)
        d_out1 = relu_backward(d_out2, cache_r)
        _, grads['W1'], grads['b1'] = affine_backward(d_out1, cache_a1)
        grads['W1'] += self.reg * self.params['W1']
        grads['W2'] += self.reg * self.params['W2']
        return loss, grads
