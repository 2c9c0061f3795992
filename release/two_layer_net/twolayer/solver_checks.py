"""What the ``Solver`` checks of the data and the model it is given.

A mistake in the model (``loss`` not returning ``(loss, grads)``, a missing gradient, a
nan/inf loss, ...) stops training with a ``SolverError`` whose message says what to fix;
a mistake in the Solver's inputs raises a ``ValueError``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = [
    "SolverError",
    "check_params",
    "check_settings",
    "checked_data",
    "checked_gradient",
    "checked_loss_and_grads",
    "checked_scores",
]

DATA_KEYS = ("X_train", "y_train", "X_val", "y_val")
NAN_HINT = (
    "check softmax_loss for overflow (subtract the max score of each row before "
    "exponentiating) and the loss and gradients of your model, or lower the learning rate"
)


class SolverError(RuntimeError):
    """Training cannot go on: the model or the settings need fixing (the message says what)."""


def checked_data(data: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Returns X_train, y_train, X_val, y_val of data as arrays, of shapes (N, ...) and (N,)."""
    missing = [k for k in DATA_KEYS if k not in data]
    if missing:
        raise ValueError(
            f"data is missing {', '.join(repr(k) for k in missing)}: the Solver needs "
            f"a dict with the keys {', '.join(DATA_KEYS)}"
        )
    arrays = {k: np.asarray(data[k]) for k in DATA_KEYS}
    for split in ("train", "val"):
        X, y = arrays[f"X_{split}"], arrays[f"y_{split}"]
        if X.ndim < 1 or y.ndim != 1 or X.shape[0] != y.shape[0]:
            raise ValueError(
                f"X_{split} has shape {X.shape} and y_{split} has shape {y.shape}: "
                f"expected X_{split} of shape (N, ...) and y_{split} of shape (N,)"
            )
    if arrays["X_train"].shape[0] == 0:
        raise ValueError("X_train is empty")
    return arrays["X_train"], arrays["y_train"], arrays["X_val"], arrays["y_val"]


def check_settings(extra_kwargs: Mapping[str, Any], batch_size: int) -> None:
    """The Solver's keyword arguments, once it has taken those it knows: none may be left."""
    if len(extra_kwargs) > 0:
        extra = ", ".join(f'"{k}"' for k in extra_kwargs)
        raise ValueError(
            f"Unrecognized arguments {extra}; the Solver accepts update_rule, "
            "optim_config, lr_decay, batch_size, num_epochs, num_train_samples, "
            "num_val_samples, checkpoint_name, print_every, verbose and progress"
        )
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")


def check_params(params: Any) -> None:
    """model.params must be a non-empty dict."""
    if not isinstance(params, dict) or not params:
        raise ValueError(
            "model.params must be a non-empty dict mapping parameter names to arrays "
            "(set self.params in your model's __init__)"
        )


def checked_loss_and_grads(out: Any, iteration: int, epoch: int, learning_rate: Any) -> tuple[float, Mapping[str, Any]]:
    """
    Checks what model.loss(X, y) returned at a training iteration (counted from 1).

    Returns:
    - loss: The loss, a finite float
    - grads: The gradients, a mapping (checked_gradient checks each of them)
    """
    if not (isinstance(out, tuple | list) and len(out) == 2):
        raise SolverError(
            f"model.loss(X, y) returned {describe(out)} at iteration {iteration}: with labels y "
            "it must return a tuple (loss, grads), where grads is a dict with the same "
            "keys as model.params (return the scores only when y is None)"
        )
    loss, grads = out
    try:
        loss = float(loss)
    except (TypeError, ValueError):
        raise SolverError(
            f"model.loss(X, y) returned a loss of {describe(loss)} at iteration {iteration}: "
            "the loss must be a scalar (the mean data loss plus the regularization loss)"
        ) from None
    if not math.isfinite(loss):
        where = (
            "on the first minibatch, so check the loss and the weight initialization"
            if iteration == 1
            else f"with learning rate {learning_rate}"
        )
        raise SolverError(f"loss is {loss} at iteration {iteration} (epoch {epoch}) {where}: {NAN_HINT}")
    if not isinstance(grads, Mapping):
        raise SolverError(
            f"model.loss(X, y) returned grads of {describe(grads)} at iteration {iteration}: "
            "grads must be a dict with the same keys as model.params"
        )
    return loss, grads


def checked_gradient(params: Mapping[str, np.ndarray], grads: Mapping[str, Any], p: str) -> Any:
    """Returns grads[p], the gradient of model.params[p], after checking it is there with its shape."""
    w = params[p]
    try:
        dw = grads[p]
    except KeyError:
        missing = [k for k in params if k not in grads]
        raise SolverError(
            f"grads has no gradient for {', '.join(repr(k) for k in missing)} "
            f"(it has {', '.join(repr(k) for k in grads) or 'no keys'}): "
            "model.loss must return a gradient for every key of model.params"
        ) from None
    if getattr(dw, "shape", None) != w.shape:
        raise SolverError(
            f"grads[{p!r}] has shape {getattr(dw, 'shape', type(dw).__name__)} but "
            f"model.params[{p!r}] has shape {w.shape}: each gradient must have the "
            "shape of its parameter"
            + (" (a bias must be a zero vector, np.zeros(size), not the scalar 0)" if w.shape == () else "")
        )
    return dw


def checked_scores(scores: Any) -> np.ndarray:
    """Checks what model.loss(X) returned without labels: the scores, of shape (N, C)."""
    if isinstance(scores, tuple | list):
        raise SolverError(
            f"model.loss(X) returned {describe(scores)}: without labels "
            "(y=None) it must return the scores array of shape (N, C)"
        )
    scores = np.asarray(scores)
    if scores.ndim != 2:
        raise SolverError(
            f"model.loss(X) returned scores of shape {scores.shape}: without "
            "labels (y=None) it must return the scores array of shape (N, C)"
        )
    return scores


def describe(obj: Any) -> str:
    """A short description of a value for error messages."""
    if isinstance(obj, np.ndarray):
        return f"an array of shape {obj.shape}"
    if isinstance(obj, tuple | list):
        return f"a {type(obj).__name__} of length {len(obj)}"
    return f"a {type(obj).__name__}"
