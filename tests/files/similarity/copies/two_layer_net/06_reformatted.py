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
        shapes = {"W1": (input_dim, hidden_dim), "b1": (hidden_dim,),
                  "W2": (hidden_dim, num_classes), "b2": (num_classes,)}

        self.params = {name: (weight_scale * np.random.randn(*shape)
                              if name.startswith("W")
                              else np.zeros(shape))
                       for name, shape in shapes.items()}

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

        hidden_in, fc1_cache = affine_forward(X,
                                              self.params["W1"],
                                              self.params["b1"])

        hidden_out, relu_cache = relu_forward(hidden_in)

        scores, fc2_cache = affine_forward(hidden_out,
                                           self.params["W2"],
                                           self.params["b2"])


        # If y is None then we are in test mode so just return scores
        if y is None:
            return scores

        loss, grads = 0, {}
        # TODO: Implement the backward pass. Store the loss in loss and the
        # gradients in grads. Include L2 regularization (with the factor 0.5).
        # YOUR CODE HERE
        data_loss, upstream = softmax_loss(scores, y)
        weights = [k for k in self.params if k.startswith("W")]
        reg_loss = sum(
            0.5 * self.reg * np.sum(np.square(self.params[k]))
            for k in weights
        )
        loss = data_loss + reg_loss


        upstream, grads["W2"], grads["b2"] = affine_backward(upstream, fc2_cache)
        upstream = relu_backward(upstream, relu_cache)
        _, grads["W1"], grads["b1"] = affine_backward(upstream, fc1_cache)

        for k in weights: grads[k] = grads[k] + self.reg * self.params[k]

        return loss, grads
