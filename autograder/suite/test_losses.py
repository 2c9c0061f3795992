"""The checks of the losses: svm_loss and softmax_loss.

Everything about grading them is here: their visible checks (:func:`visible`), their hidden checks,
the expected values (:data:`EXPECTED`) and the hints. Both are checked the same way (values and dx
on scores of several shapes and scales, scores around 1000, shift invariance, dx against the
numerical gradient, float32 scores); the hints for known mistakes differ. The check functions are
``twolayer.checks.losses``; points are in assignment.toml.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from twolayer.checks import losses as K
from twolayer.checks.cases import Case
from twolayer.checks.visible import VisibleCheck

from .hints import Mistakes, hint_failures, recognise
from .marks import hidden, visible_params

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


#: What the reference returns for an input of each item: the hidden checks' expected values, and
#: the visible ones' in ``twolayer/checks/visible.npz``.
EXPECTED = {name: loss_values(name) for name in LOSSES}

# Numerical gradients step over a kink of the SVM's hinge when a margin is within the step of 0,
# and are then wrong for correct code. Code that computes in float32 is checked with a step of 1e-3
# (twolayer.checks.compare.gradient_agrees): inputs 0.05 or closer to a kink are drawn again.
KINK_MARGIN = 0.05


def away_from_hinge_kinks(rng: np.random.Generator, N: int = 4, Cn: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Scores whose SVM margins (s_j - s_y + 1, j != y) are all at least KINK_MARGIN from 0."""
    while True:
        x, y = rng.standard_normal((N, Cn)), rng.integers(Cn, size=N)
        margins = x - x[np.arange(N), y][:, None] + 1.0
        margins[np.arange(N), y] = 1.0
        if np.abs(margins).min() > KINK_MARGIN:
            return x, y


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
            K.SOFTMAX_OVERFLOW,
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


# --- visible checks: the notebook's check cells ---------------------------------------------------


def visible() -> dict[str, list[VisibleCheck]]:
    """The losses' checks on visible inputs (the same scores for both), seeded so that everyone sees
    the same ones; the values are the reference's (:data:`EXPECTED`)."""
    rng = np.random.default_rng(231)
    x, y = rng.standard_normal((5, 4)), rng.integers(4, size=5)
    on = "random scores (5, 4)"
    return {
        name: [
            VisibleCheck(f"{name} on {on}", "losses.check_loss", {"name": name, "case": Case(on, {"x": x, "y": y})}),
            VisibleCheck(
                f"dx numerically on {on}",
                "losses.check_gradient_numerically",
                {"name": name, "x": x, "y": y, "on": on},
            ),
            VisibleCheck(
                "scores plus 1000",
                "losses.check_loss_shift",
                {"name": name, "x": x, "y": y, "offset": 1e3, "on": f"{on} plus 1000"},
            ),
        ]
        for name in LOSSES
    }


@pytest.mark.parametrize("check", visible_params(visible()))
def test_visible(student, check, expect):
    """The item's checks on visible inputs, exactly as its check cell runs them (`<item>_check`)."""
    expect(check.run(student))
