"""The checks of two_layer_net: TwoLayerNet's initial parameters, and its scores, loss and gradients
with parameters and reg set after construction, against the reference and against the numerical
gradient of the student's own loss.

Everything about grading it is here: its visible checks (:func:`visible`), its hidden checks, the
expected values (:data:`EXPECTED`) and the hints. The check functions are
``twolayer.checks.network``; points are in assignment.toml.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from twolayer.checks import network as K
from twolayer.checks.cases import FIXED_INPUTS, Case
from twolayer.checks.visible import VisibleCheck

from .hints import Mistakes, recognise
from .marks import hidden, visible_params

REG_FACTOR = "The regularisation term is 0.5 * reg * (sum(W1**2) + sum(W2**2)); its gradient is reg * W."
REG_MISSING_GRAD = "Add the gradient of the regularisation, reg * W, to dW1 and dW2."
REG_MISSING_LOSS = (
    "The loss has no regularisation: add 0.5 * reg * (sum(W1**2) + sum(W2**2)), reading self.reg at "
    "every call (the grader sets reg after construction)."
)
REG_ON_BIAS = "Biases are not regularised: only W1 and W2 appear in the regularisation."
NO_RELU = "The hidden layer must go through a ReLU: affine -> ReLU -> affine."
WRONG_LOSS_FN = "TwoLayerNet uses the softmax loss (softmax_loss), not the SVM loss."


# Numerical gradients step over a kink of ReLU when an input is within the
# step of it, and are then wrong for correct code. Code that computes in float32 is checked with
# a step of 1e-3 (twolayer.checks.compare.gradient_agrees), which moves a pre-activation by up to
# 1e-3 * |x| (about 4e-3 here): inputs 0.05 or closer to a kink are drawn again. (Without this a
# correct float32 TwoLayerNet failed in 5 of 300 seeds.)
KINK_MARGIN = 0.05


def net_params(rng: np.random.Generator, D: int, H: int, Cn: int) -> dict[str, np.ndarray]:
    return {
        "W1": 0.5 * rng.standard_normal((D, H)),
        "b1": 0.2 * rng.standard_normal(H),
        "W2": 0.5 * rng.standard_normal((H, Cn)),
        "b2": 0.2 * rng.standard_normal(Cn),
    }


def away_from_relu_kinks(
    rng: np.random.Generator, N: int = 4, D: int = 4, H: int = 5, Cn: int = 3
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Parameters and inputs whose hidden pre-activations are all at least KINK_MARGIN from 0,
    some positive and some negative."""
    while True:
        params = net_params(rng, D, H, Cn)
        X, y = rng.standard_normal((N, D)), rng.integers(Cn, size=N)
        pre = X @ params["W1"] + params["b1"]
        if np.abs(pre).min() > KINK_MARGIN and (pre > 0).any() and (pre < 0).any():
            return params, X, y


def reference_net(ref: Any, params: dict[str, np.ndarray], reg: float) -> Any:
    D, H = params["W1"].shape
    net = ref.TwoLayerNet(input_dim=D, hidden_dim=H, num_classes=params["W2"].shape[1])
    net.params = {k: v.copy() for k, v in params.items()}
    net.reg = reg
    return net


def net_values(ref: Any, inp: dict) -> dict:
    net = reference_net(ref, inp["params"], inp["reg"])
    loss, grads = net.loss(inp["X"], inp["y"])
    return {"scores": net.loss(inp["X"]), "loss": np.float64(loss), "grads": grads}


def mistakes(ref: Any, params: dict, X: np.ndarray, y: np.ndarray, reg: float) -> Mistakes:
    """What the known mistakes return for these parameters and inputs."""
    base = reference_net(ref, params, 0.0)
    loss0, grads0 = base.loss(X, y)
    W1, W2 = params["W1"], params["W2"]
    l2 = np.sum(W1 * W1) + np.sum(W2 * W2)

    def with_grad(key: str, factor: float) -> Callable[[], Any]:
        return lambda: grads0[key] + factor * reg * params[key]

    def weights(key: str) -> list:
        return [
            (REG_MISSING_GRAD, with_grad(key, 0.0)),
            (REG_FACTOR, with_grad(key, 2.0)),
            (REG_FACTOR, with_grad(key, 0.5)),
        ]

    return {
        "scores": [(NO_RELU, lambda: (X.reshape(X.shape[0], -1) @ W1 + params["b1"]) @ W2 + params["b2"])],
        "loss": [
            (REG_FACTOR, lambda: loss0 + reg * l2),
            (REG_MISSING_LOSS, lambda: loss0),
            (REG_ON_BIAS, lambda: loss0 + 0.5 * reg * (l2 + np.sum(params["b1"] ** 2) + np.sum(params["b2"] ** 2))),
            (WRONG_LOSS_FN, lambda: ref.svm_loss(base.loss(X), y)[0] + 0.5 * reg * l2),
        ],
        "W1": weights("W1"),
        "W2": weights("W2"),
        "b1": [(REG_ON_BIAS, lambda: grads0["b1"] + reg * params["b1"])],
        "b2": [(REG_ON_BIAS, lambda: grads0["b2"] + reg * params["b2"])],
    }


@hidden("two_layer_net")
@pytest.mark.parametrize("D, H, C, scale", [(300, 50, 10, 1e-2), (3 * 8 * 8, 100, 12, 7e-2)])
def test_initial_parameters(student, expect, D, H, C, scale):
    expect(K.check_net_init(student, D, H, C, scale, "random sizes"))


@hidden("two_layer_net")
@pytest.mark.parametrize(
    "N, shape, H, C, reg", [(6, (8,), 10, 4, 0.0), (5, (2, 3, 2), 7, 3, 0.35), (9, (5,), 12, 6, 1.3)]
)
def test_loss_and_gradients(student, reference, rng, expect, N, shape, H, C, reg):
    params = net_params(rng, int(np.prod(shape)), H, C)
    X, y = rng.standard_normal((N, *shape)), rng.integers(C, size=N)
    active = (X.reshape(N, -1) @ params["W1"] + params["b1"]) > 0
    assert active.any() and not active.all(), "hidden inputs must have active and inactive units"
    inp = {"params": params, "X": X, "y": y, "reg": reg}
    case = Case(
        f"random inputs X {X.shape}, hidden size {H}, reg {reg:g} (some hidden units off)",
        inp,
        net_values(reference, inp),
        recognise(mistakes(reference, params, X, y, reg)),
    )
    expect(K.check_net_loss(student, case))


@hidden("two_layer_net")
def test_gradients_numerically(student, rng, expect):
    params, X, y = away_from_relu_kinks(rng)
    expect(K.check_net_numerically(student, params, X, y, 0.45, "random inputs (4, 4)"))


#: What the reference returns for an input: the hidden checks' expected values, and the visible
#: ones' in ``twolayer/checks/visible.npz``.
EXPECTED = {"two_layer_net": net_values}


# --- visible checks: the notebook's check cells ---------------------------------------------------

# The values the original exercise states; the reference meets them.
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


def visible() -> dict[str, list[VisibleCheck]]:
    """TwoLayerNet's checks on visible inputs: the exercise's fixed network, and a random one where
    some hidden units are off, seeded so that everyone sees the same; the values not stated here
    are the reference's (:data:`EXPECTED`)."""
    rng = np.random.default_rng(231)
    net = {
        "W1": 0.5 * rng.standard_normal((4, 6)),
        "b1": 0.1 * rng.standard_normal(6),
        "W2": 0.5 * rng.standard_normal((6, 3)),
        "b2": 0.1 * rng.standard_normal(3),
    }
    X, y = rng.standard_normal((5, 4)), rng.integers(3, size=5)
    fixed = {"params": net_fixed_params(), "X": net_fixed_X(), "y": np.asarray([0, 5, 1])}
    cases = [
        Case(FIXED_INPUTS, {**fixed, "reg": 0.0}, {"scores": NET_FIXED_SCORES, "loss": NET_FIXED_LOSS[0.0]}),
        Case(FIXED_INPUTS, {**fixed, "reg": 1.0}, {"loss": NET_FIXED_LOSS[1.0]}),
        Case("random inputs (5, 4) where some hidden units are off", {"params": net, "X": X, "y": y, "reg": 0.3}),
    ]
    init = {"D": 5, "H": 50, "C": 7, "weight_scale": 1e-3, "on": FIXED_INPUTS}
    checks = [VisibleCheck("TwoLayerNet() parameters", "network.check_net_init", init)]
    checks += [
        VisibleCheck(
            f"TwoLayerNet.loss with reg = {case.inputs['reg']:g} on {case.on}", "network.check_net_loss", {"case": case}
        )
        for case in cases
    ]
    last = cases[-1]
    checks += [
        VisibleCheck(
            f"TwoLayerNet gradients numerically (reg = {reg:g})",
            "network.check_net_numerically",
            {"params": last.inputs["params"], "X": X, "y": y, "reg": reg, "on": last.on},
        )
        for reg in (0.0, last.inputs["reg"])
    ]
    return {"two_layer_net": checks}


@pytest.mark.parametrize("check", visible_params(visible()))
def test_visible(student, check, expect):
    """The item's checks on visible inputs, exactly as its check cell runs them (`<item>_check`)."""
    expect(check.run(student))
