"""The checks behind every check cell of the notebook.

``self_check("affine_forward", globals())`` runs, on visible inputs only, the same checks
and prints the same messages that the course's grader uses. The grader runs these checks
too, and more of them on inputs you do not see, comparing against a reference solution
that is not in this folder.

The checks themselves are in ``twolayer.item_checks``; a check talks to your code through a
*target* (``twolayer.targets``): here, :class:`LocalTarget` calls the functions of your notebook
directly; the grader uses one that calls them in a separate, sandboxed process. Either way the
verdicts and messages are the same.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from . import item_checks as K
from .findings import CheckFailed, Finding
from .item_checks import Case
from .targets import LocalTarget, Target

# ---------------------------------------------------------------------------------------
# Visible inputs, with values of the original exercise
# ---------------------------------------------------------------------------------------


def _affine_fixed() -> dict[str, np.ndarray]:
    num_inputs, input_shape, output_dim = 2, (4, 5, 6), 3
    input_size = num_inputs * int(np.prod(input_shape))
    weight_size = output_dim * int(np.prod(input_shape))
    return {
        "x": np.linspace(-0.1, 0.5, num=input_size).reshape(num_inputs, *input_shape),
        "w": np.linspace(-0.2, 0.3, num=weight_size).reshape(int(np.prod(input_shape)), output_dim),
        "b": np.linspace(-0.3, 0.1, num=output_dim),
    }


FIXED = "the fixed inputs of the exercise"

# The values the original exercise states. The reference solution meets them: its visible checks
# pass (tests/test_autograder/test_grading.py::test_solution_gets_every_autograded_point).
AFFINE_FIXED_OUT = np.array([[1.49834967, 1.70660132, 1.91485297], [3.25553199, 3.5141327, 3.77273342]])
RELU_FIXED_OUT = np.array(
    [[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.04545455, 0.13636364], [0.22727273, 0.31818182, 0.40909091, 0.5]]
)
NET_FIXED_SCORES = np.asarray(
    [
        [11.53165108, 12.2917344, 13.05181771, 13.81190102, 14.57198434, 15.33206765, 16.09215096],
        [12.05769098, 12.74614105, 13.43459113, 14.1230412, 14.81149128, 15.49994135, 16.18839143],
        [12.58373087, 13.20054771, 13.81736455, 14.43418138, 15.05099822, 15.66781506, 16.2846319],
    ]
)
NET_FIXED_LOSS = {0.0: 3.4702243556, 1.0: 26.5948426952}


def net_fixed_params(D: int = 5, H: int = 50, C: int = 7) -> dict[str, np.ndarray]:
    return {
        "W1": np.linspace(-0.7, 0.3, num=D * H).reshape(D, H),
        "b1": np.linspace(-0.1, 0.9, num=H),
        "W2": np.linspace(-0.3, 0.4, num=H * C).reshape(H, C),
        "b2": np.linspace(-0.9, 0.1, num=C),
    }


def net_fixed_X(N: int = 3, D: int = 5) -> np.ndarray:
    return np.linspace(-5.5, 4.5, num=N * D).reshape(D, N).T


VISIBLE_FILE = "visible_expected.npz"


def visible_cases() -> dict[str, list[Case]]:
    """The visible inputs of every item, seeded so that everyone sees the same ones.

    Expected values come from ``visible_expected.npz`` beside this file (written by the
    course's reference solution, like the numbers the original exercise prints in its cells).
    """
    rng = np.random.default_rng(231)
    fixed = _affine_fixed()
    xb, wb, bb = rng.standard_normal((10, 2, 3)), rng.standard_normal((6, 5)), rng.standard_normal(5)
    relu_x = rng.standard_normal((10, 10))
    net = {
        "W1": 0.5 * rng.standard_normal((4, 6)),
        "b1": 0.1 * rng.standard_normal(6),
        "W2": 0.5 * rng.standard_normal((6, 3)),
        "b2": 0.1 * rng.standard_normal(3),
    }
    net_X, net_y = rng.standard_normal((5, 4)), rng.integers(3, size=5)
    loss_x, loss_y = rng.standard_normal((5, 4)), rng.integers(4, size=5)
    return {
        "affine_forward": [
            Case(FIXED, fixed, {"out": AFFINE_FIXED_OUT}),
            Case("random inputs x (10, 2, 3), w (6, 5), b (5,)", {"x": xb, "w": wb, "b": bb}),
        ],
        "affine_backward": [
            Case(
                "random inputs x (10, 2, 3), w (6, 5), b (5,)",
                {"x": xb, "w": wb, "b": bb, "dout": rng.standard_normal((10, 5))},
            ),
        ],
        "relu_forward": [
            Case(FIXED, {"x": np.linspace(-0.5, 0.5, num=12).reshape(3, 4)}, {"out": RELU_FIXED_OUT}),
        ],
        "relu_backward": [
            Case("random inputs of shape (10, 10)", {"x": relu_x, "dout": rng.standard_normal(relu_x.shape)}),
        ],
        "svm_loss": [Case("random scores (5, 4)", {"x": loss_x, "y": loss_y})],
        "softmax_loss": [Case("random scores (5, 4)", {"x": loss_x, "y": loss_y})],
        "two_layer_net": [
            Case(
                FIXED,
                {"params": net_fixed_params(), "X": net_fixed_X(), "y": np.asarray([0, 5, 1]), "reg": 0.0},
                {"scores": NET_FIXED_SCORES, "loss": NET_FIXED_LOSS[0.0]},
            ),
            Case(
                FIXED,
                {"params": net_fixed_params(), "X": net_fixed_X(), "y": np.asarray([0, 5, 1]), "reg": 1.0},
                {"loss": NET_FIXED_LOSS[1.0]},
            ),
            Case(
                "random inputs (5, 4) where some hidden units are off",
                {"params": net, "X": net_X, "y": net_y, "reg": 0.3},
            ),
        ],
    }


def _with_expected(item: str, cases: list[Case]) -> list[Case]:
    path = Path(__file__).with_name(VISIBLE_FILE)
    with np.load(path, allow_pickle=False) as stored:
        for i, case in enumerate(cases):
            prefix = f"{item}/{i}/"
            for key in stored.files:
                if key.startswith(prefix):
                    name = key[len(prefix) :]
                    if name.startswith("grads."):
                        case.expected.setdefault("grads", {})[name[6:]] = stored[key]
                    else:
                        value = stored[key]
                        case.expected[name] = float(value) if value.shape == () else value
    return cases


CHOICE_OPTIONS = {"inline_question_1_choices": (1, 2, 3), "inline_question_2_choices": (1, 2, 3, 4)}


class VisibleCheck(NamedTuple):
    """One check of an item on visible inputs: what the notebook's check cell and the grader run."""

    name: str
    run: Callable[[Target], list[Finding]]

    def __str__(self) -> str:
        return self.name


def _loss_checks(item: str, case: Case) -> list[VisibleCheck]:
    x, y = case.inputs["x"], case.inputs["y"]
    return [
        VisibleCheck(f"{item} on {case.on}", lambda t: K.check_loss(t, item, case)),
        VisibleCheck(f"dx numerically on {case.on}", lambda t: K.check_gradient_numerically(t, item, x, y, case.on)),
        VisibleCheck(
            "scores plus 1000", lambda t: K.check_loss_shift(t, item, x, y, 1e3, "random scores (5, 4) plus 1000")
        ),
    ]


def _net_checks(cases: list[Case]) -> list[VisibleCheck]:
    found = [VisibleCheck("TwoLayerNet() parameters", lambda t: K.check_net_init(t, 5, 50, 7, 1e-3, FIXED))]
    found += [
        VisibleCheck(
            f"TwoLayerNet.loss with reg = {case.inputs['reg']:g} on {case.on}",
            lambda t, case=case: K.check_net_loss(t, case),
        )
        for case in cases
    ]
    last = cases[-1].inputs
    found += [
        VisibleCheck(
            f"TwoLayerNet gradients numerically (reg = {reg:g})",
            lambda t, reg=reg: K.check_net_numerically(t, last["params"], last["X"], last["y"], reg, cases[-1].on),
        )
        for reg in (0.0, last["reg"])
    ]
    return found


CHECKERS: dict[str, Callable[[Target, Case], list[Finding]]] = {
    "affine_forward": K.check_affine_forward,
    "affine_backward": K.check_affine_backward,
    "relu_forward": K.check_relu_forward,
    "relu_backward": K.check_relu_backward,
}


def visible_checks(item: str) -> list[VisibleCheck]:
    """The checks of one item on visible inputs, in the order the check cell runs them."""
    if item in CHOICE_OPTIONS:
        return [
            VisibleCheck(
                f"{item} is a set of option numbers", lambda t: K.check_choices_format(t, item, CHOICE_OPTIONS[item])
            )
        ]
    cases = visible_cases().get(item)
    if cases is None:
        raise KeyError(f"no visible checks for {item!r}")
    cases = _with_expected(item, cases)
    if item in ("svm_loss", "softmax_loss"):
        return _loss_checks(item, cases[0])
    if item == "two_layer_net":
        return _net_checks(cases)
    return [VisibleCheck(f"{item} on {case.on}", lambda t, case=case: CHECKERS[item](t, case)) for case in cases]


def visible_findings(item: str, t: Target) -> list[Finding]:
    """Every visible check of one item (what ``self_check`` runs)."""
    return [finding for check in visible_checks(item) for finding in check.run(t)]


def report(item: str, findings: list[Finding], *, verbose: bool = True) -> str:
    lines = [f.text() for f in findings if verbose or not f.passed]
    passed = sum(f.passed for f in findings)
    verdict = (
        "all checks passed" if passed == len(findings) else f"{len(findings) - passed} of {len(findings)} checks failed"
    )
    return "\n".join([f"{item}: {verdict}"] + ["  " + line for line in lines])


def self_check(item: str, namespace: dict[str, Any], *, verbose: bool = False) -> None:
    """Check one item of your notebook on visible inputs; prints PASS/FAIL and raises when a check fails.

    Call it as ``self_check("affine_forward", globals())``. The grader runs these checks
    and more of them on hidden inputs.
    """
    findings = visible_findings(item, LocalTarget(namespace))
    print(report(item, findings, verbose=verbose))
    if not all(f.passed for f in findings):
        raise CheckFailed(item, findings)
