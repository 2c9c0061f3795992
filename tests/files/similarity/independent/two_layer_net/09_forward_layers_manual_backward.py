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
        W1 = np.random.randn(input_dim, hidden_dim)
        W2 = np.random.randn(hidden_dim, num_classes)
        # scale the standard normal samples to the std we want
        self.params['W1'] = W1 * weight_scale
        self.params['W2'] = W2 * weight_scale
        self.params['b1'] = np.zeros(hidden_dim, dtype=float)
        self.params['b2'] = np.zeros(num_classes, dtype=float)

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
        h_pre, _ = affine_forward(X, self.params['W1'], self.params['b1'])
        h, _ = relu_forward(h_pre)
        scores, _ = affine_forward(h, self.params['W2'], self.params['b2'])

        # If y is None then we are in test mode so just return scores
        if y is None:
            return scores

        loss, grads = 0, {}
        # TODO: Implement the backward pass. Store the loss in loss and the
        # gradients in grads. Include L2 regularization (with the factor 0.5).
        # YOUR CODE HERE
        # I do the backward pass by hand instead of through the caches
        loss, dout = softmax_loss(scores, y)
        W1, W2 = self.params['W1'], self.params['W2']
        loss = loss + 0.5 * self.reg * np.sum(W1 * W1) + 0.5 * self.reg * np.sum(W2 * W2)

        Xf = X.reshape(len(X), -1)
        dW2 = h.T.dot(dout)
        db2 = dout.sum(axis=0)
        dh = dout.dot(W2.T)
        dh[h_pre <= 0] = 0
        dW1 = Xf.T.dot(dh)
        db1 = dh.sum(axis=0)

        grads = {'W1': dW1 + self.reg * W1, 'b1': db1, 'W2': dW2 + self.reg * W2, 'b2': db2}
        return loss, grads
