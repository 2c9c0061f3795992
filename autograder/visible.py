"""Expected values of the visible checks, written by the reference into the helper library.

``twolayer/visible_expected.npz`` holds what the reference returns on the visible inputs of
``twolayer.checks.visible_cases()``: numbers, like the ones the original exercise prints in
its cells, not code. ``python -m autograder visible`` rewrites it; a test keeps it in step.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
from twolayer import checks as C

from .reference import reference


def expected_values() -> dict[str, np.ndarray]:
    ref = reference()
    out: dict[str, np.ndarray] = {}
    for item, cases in C.visible_cases().items():
        for i, case in enumerate(cases):
            inp = case.inputs
            key = f"{item}/{i}/"
            if item == "affine_forward":
                values = {"out": ref.affine_forward(inp["x"], inp["w"], inp["b"])[0]}
            elif item == "affine_backward":
                cache = ref.affine_forward(inp["x"], inp["w"], inp["b"])[1]
                values = dict(zip(("dx", "dw", "db"), ref.affine_backward(inp["dout"], cache)))
            elif item == "relu_forward":
                values = {"out": ref.relu_forward(inp["x"])[0]}
            elif item == "relu_backward":
                values = {"dx": ref.relu_backward(inp["dout"], ref.relu_forward(inp["x"])[1])}
            elif item in ("svm_loss", "softmax_loss"):
                loss, dx = getattr(ref, item)(inp["x"], inp["y"])
                values = {"loss": np.float64(loss), "dx": dx}
            elif item == "two_layer_net":
                net = ref.TwoLayerNet(input_dim=inp["params"]["W1"].shape[0], hidden_dim=inp["params"]["W1"].shape[1],
                                      num_classes=inp["params"]["W2"].shape[1])
                net.params = {k: v.copy() for k, v in inp["params"].items()}
                net.reg = inp["reg"]
                loss, grads = net.loss(inp["X"], inp["y"])
                values = {"scores": net.loss(inp["X"]), "loss": np.float64(loss)}
                values.update({f"grads.{k}": v for k, v in grads.items()})
            else:
                continue
            for name, value in values.items():
                if name not in case.expected:  # hand-stated values of the exercise stay as stated
                    out[key + name] = np.asarray(value)
    return out


def write(path: Path | None = None) -> Path:
    path = path or Path(C.__file__).with_name(C.VISIBLE_FILE)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
    with os.fdopen(fd, "wb") as f:
        np.savez(f, **expected_values())
    os.replace(tmp, path)
    return path
