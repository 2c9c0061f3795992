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
        rng = np.random.default_rng()
        self.params['W1'] = rng.normal(0.0, weight_scale, size=(input_dim, hidden_dim))
        self.params['b1'] = np.zeros(hidden_dim)
        self.params['W2'] = rng.normal(0.0, weight_scale, size=(hidden_dim, num_classes))
        self.params['b2'] = np.zeros(num_classes)

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
        n = X.shape[0]
        x2d = np.reshape(X, (n, -1))
        layer1 = np.dot(x2d, self.params['W1']) + self.params['b1']
        relu1 = np.where(layer1 > 0, layer1, 0)
        scores = np.dot(relu1, self.params['W2']) + self.params['b2']

        # If y is None then we are in test mode so just return scores
        if y is None:
            return scores

        loss, grads = 0, {}
        # TODO: Implement the backward pass. Store the loss in loss and the
        # gradients in grads. Include L2 regularization (with the factor 0.5).
        # YOUR CODE HERE
        # loss: cross entropy via log-sum-exp, then the L2 penalty
        top = np.max(scores, axis=1, keepdims=True)
        log_z = top + np.log(np.sum(np.exp(scores - top), axis=1, keepdims=True))
        log_p = scores - log_z
        loss = -np.sum(log_p[np.arange(n), y]) / n
        for w in ('W1', 'W2'):
            loss += 0.5 * self.reg * np.linalg.norm(self.params[w]) ** 2

        # backprop
        d_scores = np.exp(log_p)
        d_scores[np.arange(n), y] -= 1
        d_scores /= n
        grads['b2'] = np.sum(d_scores, axis=0)
        grads['W2'] = np.dot(relu1.T, d_scores) + self.reg * self.params['W2']
        d_relu1 = np.dot(d_scores, self.params['W2'].T)
        d_layer1 = np.where(layer1 > 0, d_relu1, 0)
        grads['b1'] = np.sum(d_layer1, axis=0)
        grads['W1'] = np.dot(x2d.T, d_layer1) + self.reg * self.params['W1']
        return loss, grads
