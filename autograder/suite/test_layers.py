"""The checks of the layers: affine_forward, affine_backward, relu_forward, relu_backward.

Everything about grading them is here: their visible checks (the notebook's check cells run them,
from ``twolayer/checks/visible.npz``, which ``python -m autograder visible`` writes from
:func:`visible` and :data:`EXPECTED`), their hidden checks on fresh random inputs of several shapes,
the expected values (the reference's, :data:`EXPECTED`), and the hints for the mistakes students
make. The check functions themselves are ``twolayer.checks.layers``; points are in assignment.toml.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from twolayer.checks import layers as K
from twolayer.checks.cases import FIXED_INPUTS, Case, guarded
from twolayer.checks.compare import gradient_agrees, is_array
from twolayer.checks.findings import Finding
from twolayer.checks.targets import StudentCodeError
from twolayer.checks.visible import VisibleCheck

from .hints import close, hint_failures, recognise
from .marks import hidden, visible_params

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


# --- visible checks: the notebook's check cells ---------------------------------------------------

# The values the original exercise states; the reference meets them (its visible checks pass:
# tests/test_autograder/test_grading.py::test_solution_gets_every_autograded_point).
AFFINE_FIXED_OUT = np.array([[1.49834967, 1.70660132, 1.91485297], [3.25553199, 3.5141327, 3.77273342]])
RELU_FIXED_OUT = np.array(
    [[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.04545455, 0.13636364], [0.22727273, 0.31818182, 0.40909091, 0.5]]
)


def _affine_fixed() -> dict[str, np.ndarray]:
    num_inputs, input_shape, output_dim = 2, (4, 5, 6), 3
    input_size = num_inputs * int(np.prod(input_shape))
    weight_size = output_dim * int(np.prod(input_shape))
    return {
        "x": np.linspace(-0.1, 0.5, num=input_size).reshape(num_inputs, *input_shape),
        "w": np.linspace(-0.2, 0.3, num=weight_size).reshape(int(np.prod(input_shape)), output_dim),
        "b": np.linspace(-0.3, 0.1, num=output_dim),
    }


def visible() -> dict[str, list[VisibleCheck]]:
    """The layers' checks on visible inputs, seeded so that everyone sees the same ones; the values
    not stated here are the reference's (:data:`EXPECTED`), filled in by ``python -m autograder visible``."""
    rng = np.random.default_rng(231)
    xb, wb, bb = rng.standard_normal((10, 2, 3)), rng.standard_normal((6, 5)), rng.standard_normal(5)
    relu_x = rng.standard_normal((10, 10))
    random_affine = "random inputs x (10, 2, 3), w (6, 5), b (5,)"
    cases = {
        "affine_forward": [
            Case(FIXED_INPUTS, _affine_fixed(), {"out": AFFINE_FIXED_OUT}),
            Case(random_affine, {"x": xb, "w": wb, "b": bb}),
        ],
        "affine_backward": [Case(random_affine, {"x": xb, "w": wb, "b": bb, "dout": rng.standard_normal((10, 5))})],
        "relu_forward": [
            Case(FIXED_INPUTS, {"x": np.linspace(-0.5, 0.5, num=12).reshape(3, 4)}, {"out": RELU_FIXED_OUT})
        ],
        "relu_backward": [
            Case("random inputs of shape (10, 10)", {"x": relu_x, "dout": rng.standard_normal(relu_x.shape)})
        ],
    }
    return {
        item: [VisibleCheck(f"{item} on {case.on}", f"layers.check_{item}", {"case": case}) for case in found]
        for item, found in cases.items()
    }


# --- affine_forward ------------------------------------------------------------------------------


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
    expect(guarded(check, lambda: _affine_numerically(student, reference, inp)))


def _affine_numerically(student: Any, reference: Any, inp: dict) -> list[Finding]:
    args = (inp["x"], inp["w"], inp["b"])
    # Against the student's own forward pass where it is right; where it is not, against the
    # correct one (computed here, by the reference): a wrong forward pass is graded as
    # affine_forward, not again here.
    try:
        out = student.call("affine_forward", *args, keep=[1])
    except StudentCodeError:
        out = None
    own = isinstance(out, tuple) and close(out[0], reference.affine_forward(*args)[0])
    against = "your affine_forward" if own else "the correct affine_forward (yours fails its own checks)"
    grads = student.call("affine_backward", inp["dout"], K.forward_cache(student, "affine_forward", args))
    if not (isinstance(grads, tuple) and len(grads) == 3):
        return [Finding(False, "affine_backward returns dx, dw, db", "affine_backward should return (dx, dw, db)")]
    found = []
    for k, got in zip("xwb", grads, strict=True):  # three: checked above

        def f(v: np.ndarray, k: str = k) -> Any:
            values = [v if n == k else inp[n] for n in "xwb"]
            return (student.call("affine_forward", *values) if own else reference.affine_forward(*values))[0]

        if not is_array(got) or got.shape != inp[k].shape:
            found.append(Finding(False, f"d{k} against numerical gradients", f"d{k} should have shape {inp[k].shape}"))
            continue
        ok, err = gradient_agrees(f, inp[k], got, inp["dout"])
        found.append(
            Finding(
                ok,
                f"d{k} against numerical gradients of {against} on random inputs x (3, 2, 2)",
                "" if ok else f"relative error {err:.1e} between d{k} and the numerical gradient",
            )
        )
    return found


# --- relu_forward --------------------------------------------------------------------------------


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


@pytest.mark.parametrize("check", visible_params(visible()))
def test_visible(student, check, expect):
    """The item's checks on visible inputs, exactly as its check cell runs them (`<item>_check`)."""
    expect(check.run(student))


#: What the reference returns for an input of each item: the hidden checks' expected values, and
#: the visible ones' in ``twolayer/checks/visible.npz``.
EXPECTED = {
    "affine_forward": affine_forward_values,
    "affine_backward": affine_backward_values,
    "relu_forward": relu_forward_values,
    "relu_backward": relu_backward_values,
}
