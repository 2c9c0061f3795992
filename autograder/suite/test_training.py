"""Hidden checks of the training items, solver and hyperparameter_search: the validation accuracy
of the trained parameters, computed by the grader's own forward pass on the course's dataset."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.course.items import ITEMS_BY_NAME
from twolayer.checks.compare import describe, is_array
from twolayer.checks.findings import Finding

from .marks import hidden

LABELS = {"solver": "model (the Solver run)", "hyperparameter_search": "best_model"}
TRY_AGAIN = (
    "train longer or tune the learning rate (look at the loss curve: flat means too small, jumping or nan "
    "means too large)"
)


def accuracy(params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray, batch: int = 1000) -> float:
    """Accuracy of an affine-ReLU-affine network, computed by the grader (float64)."""
    W1, b1, W2, b2 = (np.asarray(params[k], dtype=np.float64) for k in ("W1", "b1", "W2", "b2"))
    correct = 0
    for i in range(0, X.shape[0], batch):
        Xb = X[i : i + batch].reshape(min(batch, X.shape[0] - i), -1).astype(np.float64)
        scores = np.maximum(Xb @ W1 + b1, 0) @ W2 + b2
        correct += int(np.sum(scores.argmax(axis=1) == y[i : i + batch]))
    return correct / X.shape[0]


def malformed(label: str, params: Any, data: dict) -> str:
    """What is wrong with the trained parameters' types and shapes, or ""."""
    D = int(np.prod(data["X_val"].shape[1:]))
    Cn = len(data["class_names"])
    shapes = {"W1": (D, None), "b1": (None,), "W2": (None, Cn), "b2": (Cn,)}
    if not isinstance(params, dict):
        return f"{label} has no params dict of arrays"
    for key, shape in shapes.items():
        value = params.get(key)
        if (
            not is_array(value)
            or value.ndim != len(shape)
            or any(s is not None and s != v for s, v in zip(shape, value.shape, strict=True))
        ):
            return (
                f"{label}.params['{key}'] should be an array of shape "
                f"{tuple('H' if s is None else s for s in shape)}, got {describe(value)}"
            )
    if params["W1"].shape[1] != params["b1"].shape[0] or params["W2"].shape[0] != params["b1"].shape[0]:
        return f"{label}'s hidden sizes do not match across W1, b1 and W2"
    if not all(np.all(np.isfinite(params[k])) for k in shapes):
        return f"{label}'s parameters contain nan or inf (did training diverge?)"
    return ""


def check_trained(item: str, params: Any, data: dict, threshold: float, grading: Any) -> list[Finding]:
    label = LABELS[item]
    check = f"validation accuracy of {label} at least {threshold:.2f}"
    problem = malformed(label, params, data)
    if problem:
        return [Finding(False, check, problem)]
    val = accuracy(params, data["X_val"], data["y_val"])
    grading.accuracies[item] = {"val_acc": val, "test_acc": accuracy(params, data["X_test"], data["y_test"])}
    ok = val >= threshold
    return [
        Finding(
            ok,
            check + f" (got {val:.3f})",
            "" if ok else f"validation accuracy {val:.3f} is below {threshold:.2f}: {TRY_AGAIN}",
        )
    ]


@hidden("solver")
def test_solver_validation_accuracy(model, data, thresholds, grading, expect):
    expect(check_trained("solver", model, data, thresholds[ITEMS_BY_NAME["solver"].threshold], grading))


@hidden("hyperparameter_search")
def test_search_validation_accuracy(model, data, thresholds, grading, expect):
    item = "hyperparameter_search"
    expect(check_trained(item, model, data, thresholds[ITEMS_BY_NAME[item].threshold], grading))
