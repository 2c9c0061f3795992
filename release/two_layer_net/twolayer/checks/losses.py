"""The checks of the losses (svm_loss, softmax_loss), on any inputs."""

from __future__ import annotations

import numpy as np

from .cases import Case, guarded, unpack
from .compare import GRAD_RTOL, describe, gradient_agrees, is_array, is_scalar, rel_diff, unchanged
from .findings import Finding
from .targets import Target

SOFTMAX_OVERFLOW = (
    "np.exp overflows for large scores: subtract each row's maximum score before exponentiating "
    "(it does not change the softmax)."
)


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
            hint = SOFTMAX_OVERFLOW if name == "softmax_loss" else ""
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
