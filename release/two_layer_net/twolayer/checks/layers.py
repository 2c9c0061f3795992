"""The checks of the layers (affine_forward, affine_backward, relu_forward, relu_backward), on any
inputs: what the notebook's check cells run on visible inputs and the grader on hidden ones."""

from __future__ import annotations

from typing import Any

from .cases import Case, guarded, unpack
from .compare import GRAD_RTOL, unchanged
from .findings import Finding
from .targets import StudentCodeError, Target


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
