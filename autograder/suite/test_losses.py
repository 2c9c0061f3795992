"""Hidden checks of the losses: svm_loss and softmax_loss.

Both are checked the same way (values and dx on scores of several shapes and scales, scores around
1000, shift invariance, dx against the numerical gradient, float32 scores); the hints for known
mistakes differ.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from twolayer import item_checks as K
from twolayer.findings import HINTS
from twolayer.item_checks import Case

from .hints import Mistakes, hint_failures, recognise
from .inputs import away_from_hinge_kinks
from .marks import expected_values, hidden

NOT_AVERAGED = "Average the loss and the gradient over the N examples (divide by N)."
SVM_NO_DELTA = "The SVM margin is max(0, s_j - s_y + 1): do not forget the delta of 1."
SVM_COUNTS_CORRECT = "Skip the correct class j = y_i in the sum of margins (its margin would be the delta, 1)."
SOFTMAX_DX_CORRECT = (
    "In dx, the correct class needs the -1: dx = softmax probabilities, then dx[range(N), y] -= 1, then divide by N."
)
LOSS_SIGN = "The loss is the average negative log-probability of the correct class: check the sign."

LOSSES = ("svm_loss", "softmax_loss")
SHAPES = [(50, 10, 1.0), (7, 3, 5.0), (1, 4, 1.0), (20, 6, 0.001)]


def loss_values(name: str) -> Callable[[Any, dict], dict]:
    def values(ref: Any, inp: dict) -> dict:
        loss, dx = getattr(ref, name)(np.asarray(inp["x"], dtype=np.float64), inp["y"])
        return {"loss": np.float64(loss), "dx": dx}

    return values


for _name in LOSSES:
    expected_values(_name)(loss_values(_name))


def mistakes(name: str, ref: Any, x: np.ndarray, y: np.ndarray) -> Mistakes:
    """What the known mistakes of ``name`` return for scores ``x`` and labels ``y``."""
    fn = getattr(ref, name)
    N = x.shape[0]
    loss, dx = fn(x, y)
    found: Mistakes = {"loss": [(NOT_AVERAGED, lambda: loss * N)], "dx": [(NOT_AVERAGED, lambda: dx * N)]}
    if name == "softmax_loss":
        found["loss"].append((LOSS_SIGN, lambda: -loss))
        found["dx"].append((SOFTMAX_DX_CORRECT, lambda: dx + np.eye(x.shape[1])[y] / N))
    else:

        def no_delta() -> tuple[float, np.ndarray]:
            return fn(x - 1.0 * (np.arange(x.shape[1]) != y[:, None]), y)  # margins with delta 0

        found["loss"] += [(SVM_NO_DELTA, lambda: no_delta()[0]), (SVM_COUNTS_CORRECT, lambda: loss + 1.0)]
        found["dx"].append((SVM_NO_DELTA, lambda: no_delta()[1]))
    return found


def _for_each_loss(test):
    """The test runs for both losses, each run counting for its own item."""
    return pytest.mark.parametrize("loss", [pytest.param(n, marks=hidden(n), id=n) for n in LOSSES])(test)


@_for_each_loss
@pytest.mark.parametrize("N, C, scale", SHAPES)
def test_loss(student, reference, rng, expect, loss, N, C, scale):
    x, y = scale * rng.standard_normal((N, C)), rng.integers(C, size=N)
    case = Case(
        f"random scores of shape ({N}, {C})",
        {"x": x, "y": y},
        loss_values(loss)(reference, {"x": x, "y": y}),
        recognise(mistakes(loss, reference, x, y)),
    )
    expect(K.check_loss(student, loss, case))


@_for_each_loss
def test_large_scores(student, reference, rng, expect, loss):
    """Scores around 1000: the original softmax with np.exp overflows there."""
    x, y = 1e3 + 10 * rng.standard_normal((12, 5)), rng.integers(5, size=12)
    found = K.check_loss(
        student,
        loss,
        Case("scores around 1000, of shape (12, 5)", {"x": x, "y": y}, loss_values(loss)(reference, {"x": x, "y": y})),
    )
    if loss == "softmax_loss":
        hint_failures(
            found,
            HINTS["softmax_overflow"],
            lambda f: "nan" in f.message or "inf" in f.message or "overflow" in f.message,
        )
    found += K.check_loss_shift(student, loss, x - 1e3, y, 1e3, "random scores (12, 5) plus 1000")
    expect(found)


@_for_each_loss
def test_dx_numerically(student, rng, expect, loss):
    expect(K.check_gradient_numerically(student, loss, *away_from_hinge_kinks(rng), "random scores (4, 3)"))


@_for_each_loss
def test_float32_scores(student, reference, rng, expect, loss):
    x, y = rng.standard_normal((9, 4)).astype(np.float32), rng.integers(4, size=9)
    expect(
        K.check_loss(
            student,
            loss,
            Case("random float32 scores (9, 4)", {"x": x, "y": y}, loss_values(loss)(reference, {"x": x, "y": y})),
        )
    )
