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
        self.params["W1"] = weight_scale * np.random.randn(input_dim, hidden_dim)
        self.params["W2"] = weight_scale * np.random.randn(hidden_dim, num_classes)
        self.params["b1"] = np.zeros((hidden_dim,))
        self.params["b2"] = np.zeros((num_classes,))

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
        bs = X.shape[0]
        inputs2d = X.reshape(bs, -1)
        pre_act = inputs2d @ self.params["W1"] + self.params["b1"]
        h_out = np.maximum(pre_act, 0)
        scores = h_out @ self.params["W2"] + self.params["b2"]

        # If y is None then we are in test mode so just return scores
        if y is None:
            return scores

        loss, grads = 0, {}
        # TODO: Implement the backward pass. Store the loss in loss and the
        # gradients in grads. Include L2 regularization (with the factor 0.5).
        # softmax, written out here instead of calling softmax_loss
        stable = scores - scores.max(axis=1, keepdims=True)
        soft = np.exp(stable)
        soft /= soft.sum(axis=1, keepdims=True)
        ce = -np.log(soft[np.arange(bs), y]).mean()
        l2_term = 0.5 * self.reg * ((self.params["W1"] ** 2).sum() + (self.params["W2"] ** 2).sum())
        loss = ce + l2_term

        grad_s = soft
        grad_s[np.arange(bs), y] -= 1
        grad_s /= bs

        grads["W2"] = h_out.T @ grad_s + self.reg * self.params["W2"]
        grads["b2"] = grad_s.sum(axis=0)
        grad_h = grad_s @ self.params["W2"].T
        grad_pre = grad_h * (pre_act > 0)
        grads["W1"] = inputs2d.T @ grad_pre + self.reg * self.params["W1"]
        grads["b1"] = grad_pre.sum(axis=0)
        return loss, grads
