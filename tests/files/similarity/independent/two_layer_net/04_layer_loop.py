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
        sizes = [input_dim, hidden_dim, num_classes]
        for i in range(1, 3):
            self.params['W%d' % i] = weight_scale * np.random.randn(sizes[i - 1], sizes[i])
            self.params['b%d' % i] = np.zeros(sizes[i])

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
        layer_caches = []
        h = X
        for i in (1, 2):
            h, c = affine_forward(h, self.params['W%d' % i], self.params['b%d' % i])
            layer_caches.append(c)
            if i == 1:  # ReLU only after the hidden layer
                h, c = relu_forward(h)
                layer_caches.append(c)
        scores = h

        # If y is None then we are in test mode so just return scores
        if y is None:
            return scores

        loss, grads = 0, {}
        # TODO: Implement the backward pass. Store the loss in loss and the
        # gradients in grads. Include L2 regularization (with the factor 0.5).
        # YOUR CODE HERE
        loss, d = softmax_loss(scores, y)
        for i in (2, 1):
            if i == 1:
                d = relu_backward(d, layer_caches.pop())
            W = self.params['W%d' % i]
            d, dW, db = affine_backward(d, layer_caches.pop())
            loss += 0.5 * self.reg * np.sum(W * W)
            grads['W%d' % i] = dW + self.reg * W
            grads['b%d' % i] = db
        return loss, grads
