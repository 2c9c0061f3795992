"""Hidden checks of two_layer_net: TwoLayerNet's initial parameters, and its scores, loss and
gradients with parameters and reg set after construction, against the reference and against the
numerical gradient of the student's own loss."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from twolayer import item_checks as K
from twolayer.item_checks import Case

from .hints import Mistakes, recognise
from .inputs import away_from_relu_kinks, net_params
from .marks import expected_values, hidden

REG_FACTOR = "The regularisation term is 0.5 * reg * (sum(W1**2) + sum(W2**2)); its gradient is reg * W."
REG_MISSING_GRAD = "Add the gradient of the regularisation, reg * W, to dW1 and dW2."
REG_MISSING_LOSS = (
    "The loss has no regularisation: add 0.5 * reg * (sum(W1**2) + sum(W2**2)), reading self.reg at "
    "every call (the grader sets reg after construction)."
)
REG_ON_BIAS = "Biases are not regularised: only W1 and W2 appear in the regularisation."
NO_RELU = "The hidden layer must go through a ReLU: affine -> ReLU -> affine."
WRONG_LOSS_FN = "TwoLayerNet uses the softmax loss (softmax_loss), not the SVM loss."


def reference_net(ref: Any, params: dict[str, np.ndarray], reg: float) -> Any:
    D, H = params["W1"].shape
    net = ref.TwoLayerNet(input_dim=D, hidden_dim=H, num_classes=params["W2"].shape[1])
    net.params = {k: v.copy() for k, v in params.items()}
    net.reg = reg
    return net


@expected_values("two_layer_net")
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
