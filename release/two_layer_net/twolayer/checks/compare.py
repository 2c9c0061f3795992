"""Comparing what the code under test returned with what it should return."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .findings import HINTS, Finding

# Tolerances: float64 code is exact to ~1e-12; correct float32 code to ~1e-6 relative.
VALUE_RTOL = 1e-4
GRAD_RTOL = 1e-3


def rel_diff(got: np.ndarray, expected: np.ndarray) -> float:
    """Size of the difference relative to the size of the expected array (a norm ratio)."""
    got = np.asarray(got, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    scale = np.linalg.norm(expected) + 1e-12
    return float(np.linalg.norm(got - expected) / scale)


def is_array(value: Any) -> bool:
    return isinstance(value, np.ndarray) and value.dtype.kind in "fiu"


def is_scalar(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, np.ndarray):
        return value.shape == () and value.dtype.kind in "fiu"
    return isinstance(value, (int, float, np.integer, np.floating))


def compare_array(what: str, got: Any, expected: np.ndarray, *, on: str, rtol: float = VALUE_RTOL) -> Finding:
    """Check that ``got`` is a finite array with the shape and values of ``expected``."""
    check = f"{what} on {on}"
    if not is_array(got):
        return Finding(False, check, f"{what} should be a numpy array of shape {expected.shape}, got {describe(got)}")
    if got.shape != expected.shape:
        return Finding(False, check, f"{what} has shape {got.shape}, expected {expected.shape}")
    if not np.all(np.isfinite(got)):
        return Finding(False, check, f"{what} contains nan or inf")
    err = rel_diff(got, expected)
    if err > rtol:
        return Finding(
            False, check, f"{what} is wrong: relative error {err:.1e} (a correct answer is below {rtol:.0e})"
        )
    return Finding(True, check)


def compare_scalar(
    what: str, got: Any, expected: float, *, on: str, rtol: float = VALUE_RTOL, show_expected: bool = True
) -> Finding:
    """Check that ``got`` is a finite number close to ``expected``."""
    check = f"{what} on {on}"
    if not is_scalar(got):
        return Finding(False, check, f"{what} should be a single number, got {describe(got)}")
    got = float(got)
    if not np.isfinite(got):
        return Finding(False, check, f"{what} is {got}")
    if abs(got - expected) > rtol * max(abs(expected), 1e-8):
        exp = f"expected {expected:.6g}, got {got:.6g}" if show_expected else f"got {got:.6g}, which is wrong"
        return Finding(False, check, f"{what} is wrong: {exp}")
    return Finding(True, check)


def unchanged(what: str, before: np.ndarray, after: Any, *, on: str) -> Finding:
    """Check that an input array was left as the caller passed it."""
    ok = isinstance(after, np.ndarray) and after.shape == before.shape and np.array_equal(after, before)
    return Finding(
        ok,
        f"{what} left unmodified on {on}",
        "" if ok else f"your function changed its input `{what}`",
        "" if ok else HINTS["in_place"],
    )


def describe(value: Any) -> str:
    """How a value that is not what a check expects looks, for a message."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, tuple):
        return f"a tuple of {len(value)}"
    if value is None:
        return "None (did you forget to assign or return it?)"
    return f"a {type(value).__name__}"


def numerical_gradient(
    f: Callable[[np.ndarray], Any], x: np.ndarray, df: np.ndarray | None = None, h: float = 1e-5
) -> np.ndarray:
    """Centered-difference gradient of sum(f(x) * df) (or of scalar f(x)), in float64."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        pos = f(x)
        flat[i] = old - h
        neg = f(x)
        flat[i] = old
        if df is None:
            gflat[i] = (float(pos) - float(neg)) / (2 * h)
        else:
            gflat[i] = float(np.sum((np.asarray(pos, dtype=np.float64) - np.asarray(neg, dtype=np.float64)) * df)) / (
                2 * h
            )
    return grad


def gradient_agrees(
    f: Callable[[np.ndarray], Any], x: np.ndarray, analytic: np.ndarray, df: np.ndarray | None = None
) -> tuple[bool, float]:
    """Does ``analytic`` match the numerical gradient of ``f`` at ``x``?

    First with h = 1e-5 and a 1e-4 tolerance (float64 code). Code that computes in float32 is
    correct too, but its rounding swamps such a small step: it gets a second chance with
    h = 1e-3 and a 1e-2 tolerance, still far below what a real mistake gives (1e-1 and up).
    """
    err = rel_diff(analytic, numerical_gradient(f, x, df, h=1e-5))
    if err <= 1e-4:
        return True, err
    coarse = rel_diff(analytic, numerical_gradient(f, x, df, h=1e-3))
    return coarse <= 1e-2, min(err, coarse)
