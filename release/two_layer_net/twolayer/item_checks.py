"""The checks of every item, on any inputs.

The notebook's check cells run them on visible inputs (``twolayer.checks.self_check``); the
course's grader runs the very same functions on inputs students do not see. A check calls the
code under test through a target (``twolayer.targets``) and returns a :class:`Finding` per
thing it checked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .compare import (
    GRAD_RTOL,
    VALUE_RTOL,
    compare_array,
    compare_scalar,
    describe,
    gradient_agrees,
    is_array,
    is_scalar,
    rel_diff,
    unchanged,
)
from .findings import HINTS, Finding
from .targets import StudentCodeError, Target


@dataclass
class Case:
    """Inputs of one check and the expected results (``None`` where not known)."""

    on: str  # "the fixed inputs of the exercise", "random inputs of shape (4, 3, 5)"
    inputs: dict[str, Any]
    expected: dict[str, Any] = field(default_factory=dict)
    # Optional: (what, wrong value) -> a hint for it, or "" (the grader recognises known mistakes).
    explain: Callable[[str, Any], str] | None = None

    def hinted(self, what: str, got: Any, finding: Finding) -> Finding:
        if not finding.passed and not finding.hint and self.explain is not None:
            finding.hint = self.explain(what, got) or ""
        return finding

    def compare(
        self, what: str, got: Any, *, rtol: float = VALUE_RTOL, label: str = "", expected: Any = None
    ) -> list[Finding]:
        """``got`` against the expected ``what`` (an array or a number) with the hint for a wrong
        value, shown as ``label``; nothing when nothing is expected of ``what``."""
        if expected is None:
            if what not in self.expected:
                return []
            expected = self.expected[what]
        compare = compare_scalar if np.ndim(expected) == 0 else compare_array
        return [self.hinted(what, got, compare(label or what, got, expected, on=self.on, rtol=rtol))]


def guarded(check: str, body: Callable[[], list[Finding]]) -> list[Finding]:
    """Run ``body``; an exception of the student's code becomes one failed finding."""
    try:
        return body()
    except StudentCodeError as err:
        hint = HINTS["not_implemented"] if err.kind == "not_implemented" else ""
        return [Finding(False, check, str(err), hint)]


def unpack(what: str, result: Any, n: int, names: str) -> tuple[Any, ...] | Finding:
    if not isinstance(result, (tuple, list)) or len(result) != n:
        return Finding(
            False, f"{what} returns {names}", f"{what} should return a tuple ({names}), got {describe(result)}"
        )
    return tuple(result)


# --- layers ----------------------------------------------------------------------------


def check_affine_forward(t: Target, case: Case) -> list[Finding]:
    x, w, b = case.inputs["x"], case.inputs["w"], case.inputs["b"]

    def body() -> list[Finding]:
        result, after = t.call("affine_forward", x, w, b, keep=[1], track=True)
        res = unpack("affine_forward", result, 2, "out, cache")
        if isinstance(res, Finding):
            return [res]
        out = res[0]
        found = case.compare("out", out)
        found += [unchanged(n, v, a, on=case.on) for n, v, a in zip("xwb", (x, w, b), after, strict=False)]
        return found

    return guarded(f"affine_forward on {case.on}", body)


def check_affine_backward(t: Target, case: Case) -> list[Finding]:
    x, w, b, dout = (case.inputs[k] for k in ("x", "w", "b", "dout"))

    def body() -> list[Finding]:
        cache = forward_cache(t, "affine_forward", (x, w, b))
        result, after = t.call("affine_backward", dout, cache, track=True)
        res = unpack("affine_backward", result, 3, "dx, dw, db")
        if isinstance(res, Finding):
            return [res]
        found = []
        for name, got in zip(("dx", "dw", "db"), res, strict=True):  # unpack() checked three
            found += case.compare(name, got, rtol=GRAD_RTOL)
        found.append(unchanged("dout", dout, after[0], on=case.on))
        return found

    return guarded(f"affine_backward on {case.on}", body)


def check_relu_forward(t: Target, case: Case) -> list[Finding]:
    x = case.inputs["x"]

    def body() -> list[Finding]:
        result, after = t.call("relu_forward", x, keep=[1], track=True)
        res = unpack("relu_forward", result, 2, "out, cache")
        if isinstance(res, Finding):
            return [res]
        found = case.compare("out", res[0])
        found.append(unchanged("x", x, after[0], on=case.on))
        return found

    return guarded(f"relu_forward on {case.on}", body)


def check_relu_backward(t: Target, case: Case) -> list[Finding]:
    x, dout = case.inputs["x"], case.inputs["dout"]

    def body() -> list[Finding]:
        cache = forward_cache(t, "relu_forward", (x,))
        result, after = t.call("relu_backward", dout, cache, track=True)
        found = case.compare("dx", result, rtol=GRAD_RTOL)
        found.append(unchanged("dout", dout, after[0], on=case.on))
        return found

    return guarded(f"relu_backward on {case.on}", body)


def forward_cache(t: Target, forward: str, args: tuple) -> Any:
    """The cache that the student's own forward pass returns for ``args``.

    The cache's layout is the student's choice, so backward passes are always checked with
    it. Only when the forward pass itself fails is the layout of the exercise's starter code
    (the inputs of the forward pass) tried instead, so that a broken forward pass costs only
    its own points.
    """
    try:
        result = t.call(forward, *args, keep=[1])
        if isinstance(result, tuple) and len(result) == 2:
            return result[1]
    except StudentCodeError:
        pass
    return args if len(args) > 1 else args[0]


# --- losses ----------------------------------------------------------------------------


def check_loss(t: Target, name: str, case: Case) -> list[Finding]:
    """svm_loss or softmax_loss: the loss, dx, shapes and the caller's scores left alone."""
    x, y = case.inputs["x"], case.inputs["y"]

    def body() -> list[Finding]:
        result, after = t.call(name, x, y, track=True)
        res = unpack(name, result, 2, "loss, dx")
        if isinstance(res, Finding):
            return [res]
        loss, dx = res
        found = case.compare("loss", loss) + case.compare("dx", dx, rtol=GRAD_RTOL)
        found.append(unchanged("x", x, after[0], on=case.on))
        return found

    return guarded(f"{name} on {case.on}", body)


def check_loss_shift(t: Target, name: str, x: np.ndarray, y: np.ndarray, offset: float, on: str) -> list[Finding]:
    """Adding the same number to every score changes neither the softmax nor the SVM loss."""

    def body() -> list[Finding]:
        base = t.call(name, x, y)
        shifted = t.call(name, x + offset, y)
        if not (isinstance(base, tuple) and isinstance(shifted, tuple) and len(base) == len(shifted) == 2):
            return [Finding(False, f"{name} with scores around {offset:g}", f"{name} should return (loss, dx)")]
        loss0, dx0 = base
        loss1, dx1 = shifted
        check = f"{name} with scores around {offset:g}"
        if not is_scalar(loss1) or not np.isfinite(float(loss1)) or not is_array(dx1) or not np.all(np.isfinite(dx1)):
            hint = HINTS["softmax_overflow"] if name == "softmax_loss" else ""
            return [Finding(False, check, f"{name} returns nan or inf when the scores are large ({on})", hint)]
        # Tolerances that float32 code meets (scores near 1000 keep ~4 digits after the point);
        # a loss that is not shift-invariant changes by far more.
        ok = (
            is_scalar(loss0)
            and abs(float(loss1) - float(loss0)) <= 1e-3 * max(1.0, abs(float(loss0)))
            and is_array(dx0)
            and dx0.shape == dx1.shape
            and rel_diff(dx1, dx0) <= 1e-2
        )
        return [
            Finding(
                ok,
                check,
                ""
                if ok
                else f"adding {offset:g} to every score changed the loss or dx; it should change neither ({on})",
            )
        ]

    return guarded(f"{name} with scores around {offset:g}", body)


def check_gradient_numerically(t: Target, name: str, x: np.ndarray, y: np.ndarray, on: str) -> list[Finding]:
    """dx of a loss against the numerical gradient of the same function's loss."""
    check = f"{name}: dx against the numerical gradient of your loss on {on}"

    def body() -> list[Finding]:
        res = t.call(name, x, y)
        if not (isinstance(res, tuple) and len(res) == 2):
            return [Finding(False, check, f"{name} should return (loss, dx)")]
        dx = res[1]
        if not is_array(dx) or dx.shape != x.shape:
            return [Finding(False, check, f"dx should have the shape of x, {x.shape}, got {describe(dx)}")]
        ok, err = gradient_agrees(lambda z: t.call(name, z, y)[0], x, dx)
        return [Finding(ok, check, "" if ok else f"relative error {err:.1e} between dx and the numerical gradient")]

    return guarded(check, body)


# --- the network -----------------------------------------------------------------------


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
                hint = HINTS["scalar_bias"] if key.startswith("b") and is_scalar(value) else ""
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
                        "" if ok else HINTS["weight_scale"],
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


# --- inline questions ------------------------------------------------------------------


def check_choices_format(t: Target, name: str, options: Iterable[int]) -> list[Finding]:
    options = set(options)

    def body() -> list[Finding]:
        value = t.get(None, name)
        ok = (
            isinstance(value, (set, frozenset))
            and value
            and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and int(v) in options for v in value)
        )
        return [
            Finding(
                bool(ok),
                f"{name} is a set of option numbers",
                "" if ok else f"{name} should be a non-empty set of numbers from {sorted(options)}, got {value!r}",
                "" if ok else HINTS["choices_format"],
            )
        ]

    return guarded(f"{name} is a set of option numbers", body)
