"""Update rules for the ``Solver`` (CS231n's ``optim.py``).

This file implements the first-order update rule that is commonly used for training
neural networks. Each update rule accepts current weights and the gradient of the loss
with respect to those weights and produces the next set of weights. Each update rule
has the same interface::

    def update(w, dw, config=None):

Inputs:
  - w: A numpy array giving the current weights.
  - dw: A numpy array of the same shape as w giving the gradient of the
    loss with respect to w.
  - config: A dictionary containing hyperparameter values such as learning
    rate, momentum, etc. If the update rule requires caching values over many
    iterations, then config will also hold these cached values.

Returns:
  - next_w: The next point after the update.
  - config: The config dictionary to be passed to the next iteration of the
    update rule.

NOTE: For most update rules, the default learning rate will probably not
perform well; however the default values of the other hyperparameters should
work well for a variety of different problems.

For efficiency, update rules may perform in-place updates, mutating w and
setting next_w equal to w.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["UPDATE_RULES", "get_update_rule", "sgd"]


def sgd(w: np.ndarray, dw: np.ndarray, config: dict[str, Any] | None = None):
    """
    Performs vanilla stochastic gradient descent, updating w in place.

    config format:
    - learning_rate: Scalar learning rate (default 1e-2).

    Inputs:
    - w: A numpy array giving the current weights, of any shape
    - dw: A numpy array of the same shape as w giving the gradient of the loss
      with respect to w
    - config: A dictionary of hyperparameters (see above), or None

    Returns:
    - next_w: The updated weights (w itself, updated in place)
    - config: The config dictionary, to be passed to the next iteration
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    w -= config["learning_rate"] * dw
    return w, config


# The update rules a Solver knows, by name: rule(w, dw, config) -> (next_w, config)
UPDATE_RULES: dict[str, Callable[..., tuple[np.ndarray, dict[str, Any]]]] = {"sgd": sgd}


def get_update_rule(update_rule: str | Callable[..., Any]) -> Callable[..., Any]:
    """
    The update rule a Solver is asked for.

    Inputs:
    - update_rule: The name of a rule in UPDATE_RULES, or a function
      rule(w, dw, config) -> (next_w, config)

    Returns:
    - rule: The update rule function
    """
    if callable(update_rule):
        return update_rule
    if update_rule in UPDATE_RULES:
        return UPDATE_RULES[update_rule]
    raise ValueError(
        f'Invalid update_rule "{update_rule}": the Solver knows {", ".join(repr(k) for k in UPDATE_RULES)}'
    )
