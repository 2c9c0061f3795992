"""Numerical gradients and the relative error, as in CS231n's ``cs231n/gradient_check.py``.

Use them to check the analytic gradients of your layers::

    dx_num = eval_numerical_gradient_array(lambda x: relu_forward(x)[0], x, dout)
    print(rel_error(dx_num, dx))   # about 1e-9 or smaller when dx is right

Gradient checks need float64: with float32 inputs the step ``h = 1e-5`` is close to
the float32 resolution (about 1e-7 relative) and the centered differences are mostly
rounding noise, so even a correct gradient shows a large relative error. The functions
below never change the dtype of your array; they compute the differences in float64
and return float64 gradients, but they can only be as accurate as ``f`` itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["eval_numerical_gradient", "eval_numerical_gradient_array", "rel_error"]


def rel_error(x: Any, y: Any) -> float:
    """
    The largest elementwise relative error between two arrays (or numbers).

    Inputs:
    - x: A numpy array (or scalar) of any shape
    - y: A numpy array (or scalar) broadcastable to the shape of x

    Returns:
    - The float max(|x - y| / max(1e-8, |x| + |y|)) over all elements.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def _check_float_array(x: Any, name: str = "x") -> None:
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a numpy array (it is modified in place and restored), got {type(x).__name__}")
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(
            f"{name} must be a floating point array, got dtype {x.dtype}: "
            f"use {name}.astype(np.float64) for gradient checks"
        )


def eval_numerical_gradient(
    f: Callable[[np.ndarray], Any],
    x: np.ndarray,
    verbose: bool = True,
    h: float = 1e-5,
) -> np.ndarray:
    """
    A naive implementation of the numerical gradient of a scalar function f at x,
    with centered differences (f(x + h) - f(x - h)) / 2h, one element at a time.

    x is modified in place while the gradient is evaluated and restored afterwards
    (also when f raises). Use a float64 x: float32 is too coarse for h = 1e-5.

    Inputs:
    - f: A function that takes a single argument (an array of the shape of x)
      and returns a scalar
    - x: A floating point numpy array of any shape, the point at which to evaluate
      the gradient
    - verbose: If True, print each index and its partial derivative
    - h: The step of the centered differences

    Returns:
    - grad: A float64 numpy array of the same shape as x, the numerical gradient
      of f at x.
    """
    _check_float_array(x)
    f(x)  # evaluate f at the original point once, as the original does
    grad = np.zeros(x.shape, dtype=np.float64)
    for ix in np.ndindex(*x.shape):
        oldval = x[ix]
        try:
            x[ix] = oldval + h  # increment by h
            fxph = float(f(x))  # evaluate f(x + h)
            x[ix] = oldval - h
            fxmh = float(f(x))  # evaluate f(x - h)
        finally:
            x[ix] = oldval  # restore
        # the partial derivative with the centered formula
        grad[ix] = (fxph - fxmh) / (2 * h)
        if verbose:
            print(ix, grad[ix])
    return grad


def eval_numerical_gradient_array(
    f: Callable[[np.ndarray], Any],
    x: np.ndarray,
    df: np.ndarray,
    h: float = 1e-5,
) -> np.ndarray:
    """
    The numerical gradient of a function that takes an array and returns an array,
    for the upstream gradient df: the gradient of sum(f(x) * df) with respect to x,
    with centered differences.

    x is modified in place while the gradient is evaluated and restored afterwards
    (also when f raises). Use a float64 x: float32 is too coarse for h = 1e-5.

    Inputs:
    - f: A function that takes a single argument (an array of the shape of x)
      and returns a numpy array (of the shape of df)
    - x: A floating point numpy array of any shape, the input of f
    - df: A numpy array of the shape of f(x), the upstream gradient dLoss/df
    - h: The step of the centered differences

    Returns:
    - grad: A float64 numpy array of the same shape as x, the numerical gradient
      of sum(f(x) * df) at x.
    """
    _check_float_array(x)
    df = np.asarray(df, dtype=np.float64)
    grad = np.zeros(x.shape, dtype=np.float64)
    for ix in np.ndindex(*x.shape):
        oldval = x[ix]
        try:
            x[ix] = oldval + h
            pos = np.array(f(x), dtype=np.float64)  # a float64 copy of f(x + h)
            x[ix] = oldval - h
            neg = np.array(f(x), dtype=np.float64)  # a float64 copy of f(x - h)
        finally:
            x[ix] = oldval
        grad[ix] = np.sum((pos - neg) * df) / (2 * h)
    return grad
