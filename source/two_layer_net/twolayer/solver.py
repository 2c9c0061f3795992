"""The ``Solver``: trains a classification model with minibatch SGD (CS231n's ``solver.py``).

A Solver encapsulates all the logic necessary for training classification models.
It performs stochastic gradient descent using the update rules in ``twolayer.optim``.

The solver accepts both training and validation data and labels so it can
periodically check classification accuracy on both training and validation
data to watch out for overfitting.

To train a model, first construct a Solver instance, passing the model, dataset,
and various options (learning rate, batch size, etc) to the constructor. Then
call the train() method to run the optimization procedure and train the model.

After the train() method returns, model.params contains the parameters that
performed best on the validation set over the course of training. In addition,
the instance variable solver.loss_history contains a list of all losses
encountered during training and the instance variables solver.train_acc_history
and solver.val_acc_history are lists of the accuracies of the model on the
training and validation set at each epoch.

Example usage might look something like this::

    data = {
        "X_train": # training data
        "y_train": # training labels
        "X_val": # validation data
        "y_val": # validation labels
    }
    model = MyAwesomeModel(hidden_size=100, reg=10)
    solver = Solver(model, data,
                    update_rule="sgd",
                    optim_config={"learning_rate": 1e-3},
                    lr_decay=0.95,
                    num_epochs=10, batch_size=100,
                    print_every=100)
    solver.train()

A Solver works on a model object that must conform to the following API:

- model.params must be a dictionary mapping string parameter names to numpy
  arrays containing parameter values.

- model.loss(X, y) must be a function that computes training-time loss and
  gradients, and test-time classification scores, with the following inputs
  and outputs:

  Inputs:
  - X: Array giving a minibatch of input data of shape (N, d_1, ..., d_k)
  - y: Array of labels, of shape (N,) giving labels for X where y[i] is the
    label for X[i].

  Returns:
  If y is None, run a test-time forward pass and return:
  - scores: Array of shape (N, C) giving classification scores for X where
    scores[i, c] gives the score of class c for X[i].

  If y is not None, run a training time forward and backward pass and
  return a tuple of:
  - loss: Scalar giving the loss
  - grads: Dictionary with the same keys as self.params mapping parameter
    names to gradients of the loss with respect to those parameters.

Differences from the CS231n original (the training itself is the same: the same
minibatch sampling, learning rate schedule and accuracy checks):

- The Solver trains in the data's precision: when ``data["X_train"]`` is float32,
  the constructor casts the model's floating point params to float32 (in the
  ``model.params`` dict itself). float64 data leaves the params unchanged.
- A tqdm progress bar (terminal or JupyterLab) shows the epoch, the loss and the
  last validation accuracy; the verbose log lines are written above it.
- Checkpoints are ``.npz`` files (``np.savez``, no pickle) written atomically.
- Mistakes in the model (``loss`` not returning ``(loss, grads)``, a missing
  gradient, a nan/inf loss) stop training with a ``SolverError`` that says what
  to check (the checks are in ``twolayer.solver_checks``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from .optim import UPDATE_RULES, get_update_rule, sgd
from .solver_checks import (
    SolverError,
    check_params,
    check_settings,
    checked_data,
    checked_gradient,
    checked_loss_and_grads,
    checked_scores,
)

__all__ = ["UPDATE_RULES", "Solver", "SolverError", "sgd"]


class Solver:
    """
    Trains a model with minibatch stochastic gradient descent (see the module docstring).

    Required arguments:
    - model: A model object conforming to the API described above
    - data: A dictionary of training and validation data containing:
      'X_train': Array, shape (N_train, d_1, ..., d_k) of training images
      'X_val': Array, shape (N_val, d_1, ..., d_k) of validation images
      'y_train': Array, shape (N_train,) of labels for training images
      'y_val': Array, shape (N_val,) of labels for validation images
      Other keys (name, image_shape, ...) are ignored.

    Optional arguments:
    - update_rule: A string giving the name of an update rule in UPDATE_RULES
      (only 'sgd'), or a function rule(w, dw, config) -> (next_w, config).
      Default is 'sgd'.
    - optim_config: A dictionary containing hyperparameters that will be
      passed to the chosen update rule. Each update rule requires different
      hyperparameters but all update rules require a 'learning_rate' parameter
      so that should always be present.
    - lr_decay: A scalar for learning rate decay; after each epoch the
      learning rate is multiplied by this value.
    - batch_size: Size of minibatches used to compute loss and gradient
      during training.
    - num_epochs: The number of epochs to run for during training.
    - num_train_samples: Number of training samples used to check training
      accuracy; default is 1000; set to None to use entire training set.
    - num_val_samples: Number of validation samples to use to check val
      accuracy; default is None, which uses the entire validation set.
    - checkpoint_name: If not None, then save model checkpoints here every
      epoch, to f"{checkpoint_name}_epoch_{epoch}.npz".
    - print_every: Integer; training losses will be printed every
      print_every iterations.
    - verbose: Boolean; if set to false then no output will be printed
      during training.
    - progress: Show a progress bar during training: True or False, or None
      (the default) to show it when verbose is True.

    The Solver trains in the data's precision: if data['X_train'] is float32, the
    floating point arrays of model.params are cast to float32 by the constructor.
    """

    _bar: Any = None  # the progress bar while train() runs

    def __init__(self, model: Any, data: Mapping[str, Any], **kwargs: Any) -> None:
        self.model = model
        self.X_train, self.y_train, self.X_val, self.y_val = checked_data(data)

        # Unpack keyword arguments
        self.update_rule = kwargs.pop("update_rule", "sgd")
        self.optim_config = dict(kwargs.pop("optim_config", None) or {})
        self.lr_decay = kwargs.pop("lr_decay", 1.0)
        self.batch_size = int(kwargs.pop("batch_size", 100))
        self.num_epochs = int(kwargs.pop("num_epochs", 10))
        self.num_train_samples = kwargs.pop("num_train_samples", 1000)
        self.num_val_samples = kwargs.pop("num_val_samples", None)

        self.checkpoint_name = kwargs.pop("checkpoint_name", None)
        self.print_every = kwargs.pop("print_every", 10)
        self.verbose = kwargs.pop("verbose", True)
        self.progress = kwargs.pop("progress", None)

        # Throw an error if there are extra keyword arguments or a bad setting
        check_settings(kwargs, self.batch_size)

        # Make sure the update rule exists, then replace the string name with the function
        self._update = get_update_rule(self.update_rule)

        params = getattr(model, "params", None)
        check_params(params)
        # The Solver trains in the data's precision.
        if self.X_train.dtype == np.float32:
            for k, v in params.items():
                if isinstance(v, np.ndarray) and np.issubdtype(v.dtype, np.floating) and v.dtype != np.float32:
                    params[k] = v.astype(np.float32)

        self._reset()

    def _reset(self) -> None:
        """Set up some book-keeping variables for optimization. Don't call this manually."""
        # Set up some variables for book-keeping
        self.epoch = 0
        self.best_val_acc = 0
        self.best_params: dict[str, np.ndarray] = {}
        self.loss_history: list[float] = []
        self.train_acc_history: list[float] = []
        self.val_acc_history: list[float] = []

        # Make a deep copy of the optim_config for each parameter
        self.optim_configs = {p: dict(self.optim_config) for p in self.model.params}

        # Minibatch buffers (allocated on the first step)
        self._X_batch: np.ndarray | None = None
        self._y_batch: np.ndarray | None = None

    def _learning_rate(self) -> Any:
        for config in self.optim_configs.values():
            return config.get("learning_rate", self.optim_config.get("learning_rate"))
        return None

    def _step(self) -> None:
        """
        Make a single gradient update. This is called by train() and should not
        be called manually.
        """
        # Make a minibatch of training data
        num_train = self.X_train.shape[0]
        batch_mask = np.random.choice(num_train, self.batch_size)
        if self._X_batch is None:
            self._X_batch = np.empty((self.batch_size,) + self.X_train.shape[1:], self.X_train.dtype)
            self._y_batch = np.empty(self.batch_size, self.y_train.dtype)
        X_batch = np.take(self.X_train, batch_mask, axis=0, out=self._X_batch, mode="clip")
        y_batch = np.take(self.y_train, batch_mask, axis=0, out=self._y_batch, mode="clip")

        # Compute loss and gradient (checked: the messages say what to fix in the model)
        it = len(self.loss_history) + 1
        out = self.model.loss(X_batch, y_batch)
        loss, grads = checked_loss_and_grads(out, it, self.epoch, self._learning_rate())
        self.loss_history.append(loss)

        # Perform a parameter update
        params = self.model.params
        for p, w in params.items():
            dw = checked_gradient(params, grads, p)
            config = self.optim_configs[p]
            next_w, next_config = self._update(w, dw, config)
            params[p] = next_w
            self.optim_configs[p] = next_config

    def _save_checkpoint(self) -> None:
        """
        Save params, settings and histories to f"{checkpoint_name}_epoch_{epoch}.npz"
        with np.savez (load it with np.load(path, allow_pickle=False)).

        Keys: "params/<name>" for each parameter, "optim_configs/<name>/<key>" for the
        numeric entries of each optim config (the current learning rate, ...), the
        settings "update_rule", "lr_decay", "batch_size", "num_epochs",
        "num_train_samples", "num_val_samples" (-1 for None), and "epoch",
        "best_val_acc", "loss_history", "train_acc_history", "val_acc_history".
        The file is written to a temporary file first and then renamed.
        """
        if self.checkpoint_name is None:
            return
        rule = (
            self.update_rule if isinstance(self.update_rule, str) else getattr(self.update_rule, "__name__", "custom")
        )
        arrays: dict[str, Any] = {f"params/{k}": np.asarray(v) for k, v in self.model.params.items()}
        for p, config in self.optim_configs.items():
            for k, v in config.items():
                if isinstance(v, int | float | np.number | np.ndarray) and not isinstance(v, bool):
                    arrays[f"optim_configs/{p}/{k}"] = np.asarray(v)
        arrays.update(
            update_rule=np.array(rule),
            lr_decay=np.array(self.lr_decay, dtype=np.float64),
            batch_size=np.array(self.batch_size),
            num_epochs=np.array(self.num_epochs),
            num_train_samples=np.array(-1 if self.num_train_samples is None else self.num_train_samples),
            num_val_samples=np.array(-1 if self.num_val_samples is None else self.num_val_samples),
            epoch=np.array(self.epoch),
            best_val_acc=np.array(self.best_val_acc, dtype=np.float64),
            loss_history=np.asarray(self.loss_history, dtype=np.float64),
            train_acc_history=np.asarray(self.train_acc_history, dtype=np.float64),
            val_acc_history=np.asarray(self.val_acc_history, dtype=np.float64),
        )
        filename = f"{self.checkpoint_name}_epoch_{self.epoch}.npz"
        directory = os.path.dirname(os.path.abspath(filename))
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp_", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, **arrays)
            os.replace(tmp, filename)
        except BaseException:  # deliberate: no partial checkpoint left, then re-raise
            if os.path.exists(tmp):
                os.remove(tmp)
            raise
        if self.verbose:
            self._log(f'Saving checkpoint to "{filename}"')

    def check_accuracy(
        self,
        X: np.ndarray,
        y: np.ndarray,
        num_samples: int | None = None,
        batch_size: int = 100,
    ) -> float:
        """
        Check accuracy of the model on the provided data.

        Inputs:
        - X: Array of data, of shape (N, d_1, ..., d_k)
        - y: Array of labels, of shape (N,)
        - num_samples: If not None and smaller than N, subsample the data (with
          replacement) and only test the model on num_samples datapoints.
        - batch_size: Split X and y into batches of this size to avoid using
          too much memory.

        Returns:
        - acc: Scalar giving the fraction of instances that were correctly
          classified by the model.
        """
        # Maybe subsample the data
        N = X.shape[0]
        if num_samples is not None and N > num_samples:
            mask = np.random.choice(N, num_samples)
            N = num_samples
            X = np.take(X, mask, axis=0)
            y = np.take(y, mask, axis=0)

        # Compute predictions in batches
        batch_size = max(int(batch_size), 1)
        num_batches = max((N + batch_size - 1) // batch_size, 1)
        y_pred = []
        for i in range(num_batches):
            start = i * batch_size
            end = (i + 1) * batch_size
            scores = checked_scores(self.model.loss(X if num_batches == 1 else X[start:end]))
            y_pred.append(np.argmax(scores, axis=1))
        pred = y_pred[0] if len(y_pred) == 1 else np.hstack(y_pred)
        acc = float(np.mean(pred == y))
        return acc

    def _log(self, message: str) -> None:
        if self._bar is not None and not self._bar.disable:
            self._bar.write(message)
        else:
            print(message)

    def train(self) -> None:
        """
        Run optimization to train the model.
        """
        num_train = self.X_train.shape[0]
        iterations_per_epoch = max(num_train // self.batch_size, 1)
        num_iterations = self.num_epochs * iterations_per_epoch
        show_bar = self.verbose if self.progress is None else self.progress
        print_every = self.print_every if self.verbose and self.print_every else 0
        val_acc_text = "-"

        self._bar = tqdm(
            total=num_iterations,
            desc="train",
            unit="it",
            mininterval=0.5,
            disable=not show_bar,
            dynamic_ncols=True,
        )
        bar = self._bar
        try:
            for t in range(num_iterations):
                self._step()
                loss = self.loss_history[-1]

                # Maybe print training loss
                if print_every and t % print_every == 0:
                    self._log(f"(Iteration {t + 1} / {num_iterations}) loss: {loss:f}")

                # At the end of every epoch, increment the epoch counter and decay
                # the learning rate.
                epoch_end = (t + 1) % iterations_per_epoch == 0
                if epoch_end:
                    self.epoch += 1
                    for k in self.optim_configs:
                        if "learning_rate" in self.optim_configs[k]:
                            self.optim_configs[k]["learning_rate"] *= self.lr_decay

                # Check train and val accuracy on the first iteration, the last
                # iteration, and at the end of each epoch.
                first_it = t == 0
                last_it = t == num_iterations - 1
                if first_it or last_it or epoch_end:
                    train_acc = self.check_accuracy(self.X_train, self.y_train, num_samples=self.num_train_samples)
                    val_acc = self.check_accuracy(self.X_val, self.y_val, num_samples=self.num_val_samples)
                    self.train_acc_history.append(train_acc)
                    self.val_acc_history.append(val_acc)
                    self._save_checkpoint()

                    if self.verbose:
                        self._log(
                            f"(Epoch {self.epoch} / {self.num_epochs}) train acc: {train_acc:f}; val_acc: {val_acc:f}"
                        )

                    # Keep track of the best model (and at least one set of params)
                    if val_acc > self.best_val_acc or not self.best_params:
                        self.best_val_acc = max(val_acc, self.best_val_acc)
                        self.best_params = {k: v.copy() for k, v in self.model.params.items()}
                    val_acc_text = f"{val_acc:.3f}"

                if show_bar:
                    bar.set_postfix_str(
                        f"epoch {self.epoch}/{self.num_epochs}, loss {loss:.4f}, val acc {val_acc_text}",
                        refresh=False,
                    )
                    bar.update(1)
        finally:
            bar.close()
            self._bar = None

        # At the end of training swap the best params into the model
        if self.best_params:
            self.model.params = {k: v.copy() for k, v in self.best_params.items()}
