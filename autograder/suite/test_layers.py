"""Hidden checks of the layers: affine_forward, affine_backward, relu_forward, relu_backward.

The checks of ``twolayer.item_checks`` on fresh random inputs of several shapes, with the
expected values computed by the reference, and hints for the mistakes students make.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from twolayer import item_checks as K
from twolayer.compare import gradient_agrees, is_array
from twolayer.findings import Finding
from twolayer.item_checks import Case
from twolayer.targets import StudentCodeError

from .hints import close, hint_failures, recognise
from .marks import expected_values, hidden

NO_RESHAPE = (
    "Reshape x into rows first: each input of shape (d_1, ..., d_k) becomes a row of length D = d_1 * ... * d_k."
)
NO_BIAS = "Add the bias b to every row of the output."
RESHAPE_ORDER = (
    "Reshape in numpy's default (row-major) order, x.reshape(N, -1), so that each row holds one example as w expects."
)
DX_FLAT = "dx must have the shape of the original input x, (N, d_1, ..., d_k): reshape it back."
DB_MEAN = "db is the sum of dout over the batch, not its mean."
LEAKY_RELU = "ReLU is max(0, x): negative inputs give exactly 0, not a small slope."
NP_MAX = "np.max(x, 0) takes the maximum along an axis; the ReLU needs the elementwise np.maximum(x, 0)."
MASK_FROM_DOUT = "The ReLU mask comes from the forward input x (x > 0), not from dout."

AFFINE_SHAPES = [((4, 3, 5, 2), 7), ((6, 10), 3), ((3, 2, 2, 2, 2), 5), ((1, 4, 3), 2)]


def affine_inputs(rng: np.random.Generator, shape: tuple[int, ...], M: int, dtype: Any = np.float64) -> dict:
    D = int(np.prod(shape[1:]))
    return {
        "x": rng.standard_normal(shape).astype(dtype),
        "w": rng.standard_normal((D, M)).astype(dtype),
        "b": rng.standard_normal(M).astype(dtype),
    }


# --- affine_forward ------------------------------------------------------------------------------


@expected_values("affine_forward")
def affine_forward_values(ref: Any, inp: dict) -> dict:
    return {"out": ref.affine_forward(*(np.asarray(inp[k], dtype=np.float64) for k in "xwb"))[0]}


@hidden("affine_forward")
@pytest.mark.parametrize("shape, M", AFFINE_SHAPES)
def test_affine_forward(student, reference, rng, expect, shape, M):
    inp = affine_inputs(rng, shape, M)
    x, w, b = inp["x"], inp["w"], inp["b"]
    rows = x.reshape(shape[0], -1)
    case = Case(
        f"random inputs x {shape}, w {w.shape}",
        inp,
        affine_forward_values(reference, inp),
        recognise(
            {"out": [(NO_BIAS, lambda: rows @ w), (RESHAPE_ORDER, lambda: x.reshape(shape[0], -1, order="F") @ w + b)]}
        ),
    )
    found = K.check_affine_forward(student, case)
    if len(shape) > 2:
        hint_failures(found, NO_RESHAPE, lambda f: "raised" in f.message or "shape" in f.message)
    expect(found)


@hidden("affine_forward")
def test_affine_forward_float32(student, reference, rng, expect):
    inp = affine_inputs(rng, (5, 4, 3), 6, np.float32)
    expect(
        K.check_affine_forward(
            student, Case("random float32 inputs x (5, 4, 3)", inp, affine_forward_values(reference, inp))
        )
    )


# --- affine_backward -----------------------------------------------------------------------------


@expected_values("affine_backward")
def affine_backward_values(ref: Any, inp: dict) -> dict:
    _, cache = ref.affine_forward(inp["x"], inp["w"], inp["b"])
    return dict(zip(("dx", "dw", "db"), ref.affine_backward(inp["dout"], cache), strict=True))


@hidden("affine_backward")
@pytest.mark.parametrize("shape, M", AFFINE_SHAPES)
def test_affine_backward(student, reference, rng, expect, shape, M):
    inp = affine_inputs(rng, shape, M)
    inp["dout"] = dout = rng.standard_normal((shape[0], M))
    values = affine_backward_values(reference, inp)
    dx = values["dx"]
    case = Case(
        f"random inputs x {shape}, w {inp['w'].shape}",
        inp,
        values,
        recognise(
            {"dx": [(DX_FLAT, lambda: dx.reshape(dx.shape[0], -1))], "db": [(DB_MEAN, lambda: dout.mean(axis=0))]}
        ),
    )
    found = K.check_affine_backward(student, case)
    flat = f"has shape ({dx.shape[0]}, {int(np.prod(dx.shape[1:]))})"
    expect(hint_failures(found, DX_FLAT, lambda f: flat in f.message and dx.ndim > 2))


@hidden("affine_backward")
def test_affine_backward_numerically(student, reference, rng, expect):
    """The backward pass against numerical gradients of the student's own forward pass."""
    inp = affine_inputs(rng, (3, 2, 2), 4)
    inp["dout"] = rng.standard_normal((3, 4))
    check = "affine_backward against numerical gradients of your affine_forward"
    expect(K.guarded(check, lambda: _affine_numerically(student, reference, inp)))


def _affine_numerically(student: Any, reference: Any, inp: dict) -> list[Finding]:
    args = (inp["x"], inp["w"], inp["b"])
    # Only meaningful where the student's forward pass is right: a wrong forward pass is graded as
    # affine_forward, not again here.
    try:
        out = student.call("affine_forward", *args, keep=[1])
    except StudentCodeError:
        out = None
    if not (isinstance(out, tuple) and close(out[0], reference.affine_forward(*args)[0])):
        return [
            Finding(
                True,
                "affine_backward against numerical gradients of your affine_forward "
                "(not checked: your affine_forward is graded on its own)",
            )
        ]
    grads = student.call("affine_backward", inp["dout"], K.forward_cache(student, "affine_forward", args))
    if not (isinstance(grads, tuple) and len(grads) == 3):
        return [Finding(False, "affine_backward returns dx, dw, db", "affine_backward should return (dx, dw, db)")]
    found = []
    for k, got in zip("xwb", grads, strict=True):  # three: checked above

        def f(v: np.ndarray, k: str = k) -> Any:
            return student.call("affine_forward", *[v if n == k else inp[n] for n in "xwb"])[0]

        if not is_array(got) or got.shape != inp[k].shape:
            found.append(Finding(False, f"d{k} against numerical gradients", f"d{k} should have shape {inp[k].shape}"))
            continue
        ok, err = gradient_agrees(f, inp[k], got, inp["dout"])
        found.append(
            Finding(
                ok,
                f"d{k} against numerical gradients of your affine_forward on random inputs x (3, 2, 2)",
                "" if ok else f"relative error {err:.1e} between d{k} and the numerical gradient",
            )
        )
    return found


# --- relu_forward --------------------------------------------------------------------------------


@expected_values("relu_forward")
def relu_forward_values(ref: Any, inp: dict) -> dict:
    return {"out": ref.relu_forward(inp["x"])[0]}


@hidden("relu_forward")
@pytest.mark.parametrize("shape", [(7, 5), (2, 3, 4), (10,), (3, 1, 2, 5)])
def test_relu_forward(student, reference, rng, expect, shape):
    x = rng.standard_normal(shape)
    x.flat[0] = 0.0
    case = Case(
        f"random inputs of shape {shape}",
        {"x": x},
        relu_forward_values(reference, {"x": x}),
        recognise({"out": [(LEAKY_RELU, lambda: np.where(x > 0, x, 0.01 * x)), (NP_MAX, lambda: np.max(x, 0))]}),
    )
    expect(K.check_relu_forward(student, case))


# --- relu_backward -------------------------------------------------------------------------------


@expected_values("relu_backward")
def relu_backward_values(ref: Any, inp: dict) -> dict:
    return {"dx": ref.relu_backward(inp["dout"], ref.relu_forward(inp["x"])[1])}


@hidden("relu_backward")
@pytest.mark.parametrize("shape", [(8, 6), (2, 3, 4), (12,)])
def test_relu_backward(student, reference, rng, expect, shape):
    x, dout = rng.standard_normal(shape), rng.standard_normal(shape)
    inp = {"x": x, "dout": dout}
    case = Case(
        f"random inputs of shape {shape}",
        inp,
        relu_backward_values(reference, inp),
        recognise(
            {
                "dx": [
                    (MASK_FROM_DOUT, lambda: dout * (dout > 0)),
                    (LEAKY_RELU, lambda: dout * np.where(x > 0, 1.0, 0.01)),
                ]
            }
        ),
    )
    expect(K.check_relu_backward(student, case))
