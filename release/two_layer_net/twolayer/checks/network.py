"""The checks of TwoLayerNet, on any inputs: its parameters, scores, loss and gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from .cases import Case, guarded, unpack
from .compare import GRAD_RTOL, describe, gradient_agrees, is_array, is_scalar
from .findings import Finding
from .targets import Target

SCALAR_BIAS = (
    "Biases must be zero vectors of the right length (np.zeros(hidden_dim), np.zeros(num_classes)), not the scalar 0."
)
WEIGHT_SCALE = (
    "Draw the weights from a normal distribution with standard deviation weight_scale "
    "(weight_scale * np.random.randn(...))."
)


def check_net_init(t: Target, D: int, H: int, C: int, weight_scale: float, on: str) -> list[Finding]:
    check = f"TwoLayerNet(input_dim={D}, hidden_dim={H}, num_classes={C}, weight_scale={weight_scale:g}) parameters"

    def body() -> list[Finding]:
        model = t.new("TwoLayerNet", input_dim=D, hidden_dim=H, num_classes=C, weight_scale=weight_scale)
        params = t.get(model, "params")
        if not isinstance(params, dict):
            return [Finding(False, check, f"self.params should be a dict, got {describe(params)}")]
        found = []
        shapes = {"W1": (D, H), "b1": (H,), "W2": (H, C), "b2": (C,)}
        for key, shape in shapes.items():
            value = params.get(key)
            if value is None:
                found.append(Finding(False, f"params['{key}']", f"self.params has no '{key}'"))
            elif not is_array(value) or value.shape != shape:
                hint = SCALAR_BIAS if key.startswith("b") and is_scalar(value) else ""
                found.append(
                    Finding(
                        False,
                        f"params['{key}'] shape",
                        f"params['{key}'] should be an array of shape {shape}, got {describe(value)}",
                        hint,
                    )
                )
            elif key.startswith("b") and np.any(value != 0):
                found.append(Finding(False, f"params['{key}'] is zero", f"params['{key}'] should start at zero"))
            elif key.startswith("W"):
                # Six standard errors of the sample's std and mean: only real mistakes fail.
                std, n = float(np.std(value)), value.size
                tol = 6 / np.sqrt(2 * n)
                ok = abs(std - weight_scale) < tol * weight_scale and abs(
                    float(np.mean(value))
                ) < 6 * weight_scale / np.sqrt(n)
                found.append(
                    Finding(
                        ok,
                        f"params['{key}'] scale",
                        ""
                        if ok
                        else f"params['{key}'] has standard deviation {std:.2g}, "
                        f"expected about weight_scale = {weight_scale:g}",
                        "" if ok else WEIGHT_SCALE,
                    )
                )
            else:
                found.append(Finding(True, f"params['{key}'] shape and value"))
        return found

    return guarded(check, body)


def net_with_params(t: Target, params: dict[str, np.ndarray], reg: float) -> Any:
    """A student network whose parameters and reg are set after construction."""
    D, H = params["W1"].shape
    C = params["W2"].shape[1]
    model = t.new("TwoLayerNet", input_dim=D, hidden_dim=H, num_classes=C)
    for key, value in params.items():
        t.set(model, "params", value, key=key)
    t.set(model, "reg", reg)
    return model


def check_net_loss(t: Target, case: Case) -> list[Finding]:
    """Scores, loss and gradients of a TwoLayerNet with given parameters (reg set after construction)."""
    params, X, y, reg = (case.inputs[k] for k in ("params", "X", "y", "reg"))

    def body() -> list[Finding]:
        model = net_with_params(t, params, reg)
        found = case.compare("scores", t.method(model, "loss", X)) if "scores" in case.expected else []
        res = t.method(model, "loss", X, y)
        res = unpack("TwoLayerNet.loss(X, y)", res, 2, "loss, grads")
        if isinstance(res, Finding):
            return found + [res]
        loss, grads = res
        found += case.compare("loss", loss, label=f"loss with reg = {reg:g}")
        if "grads" in case.expected:
            if not isinstance(grads, dict):
                found.append(
                    Finding(
                        False,
                        f"grads with reg = {reg:g} on {case.on}",
                        f"grads should be a dict, got {describe(grads)}",
                    )
                )
            else:
                for key, exp in case.expected["grads"].items():
                    if key not in grads:
                        found.append(Finding(False, f"grads['{key}']", f"grads has no '{key}'"))
                    else:
                        label = f"grads['{key}'] with reg = {reg:g}"
                        found += case.compare(key, grads[key], rtol=GRAD_RTOL, label=label, expected=exp)
        return found

    return guarded(f"TwoLayerNet.loss on {case.on}", body)


def check_net_numerically(
    t: Target, params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray, reg: float, on: str
) -> list[Finding]:
    """Gradients of TwoLayerNet.loss against numerical gradients of the same loss."""
    check = f"TwoLayerNet gradients against the numerical gradient of your loss (reg = {reg:g}) on {on}"

    def body() -> list[Finding]:
        model = net_with_params(t, params, reg)
        res = t.method(model, "loss", X, y)
        if not (isinstance(res, tuple) and len(res) == 2 and isinstance(res[1], dict)):
            return [Finding(False, check, "loss(X, y) should return (loss, grads)")]
        grads = res[1]
        found = []
        for key in ("W1", "b1", "W2", "b2"):
            current = {k: v.copy() for k, v in params.items()}

            def f(value: np.ndarray, key: str = key) -> float:
                t.set(model, "params", value, key=key)
                return float(t.method(model, "loss", X, y)[0])

            got = grads.get(key)
            if not is_array(got) or got.shape != current[key].shape:
                found.append(
                    Finding(
                        False,
                        f"grads['{key}'] numerically",
                        f"grads['{key}'] should have shape {current[key].shape}, got {describe(got)}",
                    )
                )
                continue
            ok, err = gradient_agrees(f, current[key], got)
            t.set(model, "params", current[key], key=key)
            found.append(
                Finding(
                    ok,
                    f"grads['{key}'] against the numerical gradient (reg = {reg:g})",
                    ""
                    if ok
                    else f"relative error {err:.1e} (should be below 1e-4; 1e-2 for code that computes in float32)",
                )
            )
        return found

    return guarded(check, body)
