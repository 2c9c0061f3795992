"""The course settings, read from ``assignment.toml`` beside this file.

Everything the notebook, nbgrader and the autograder must agree on lives in that one file:
the dataset in use, the points of every graded cell and the accuracy thresholds.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

SETTINGS_FILE = Path(__file__).with_name("assignment.toml")
DATASETS = ("digits", "cifar10")
DATASET_ENV = "TWO_LAYER_NET_DATASET"


@dataclass(frozen=True)
class Item:
    """One graded item: the answer cell students fill and the test cells that grade it."""

    name: str                 # grade_id of the answer cell
    kind: str                 # "code" or "markdown"
    defines: str | None       # the name the answer cell must define (code cells)
    test_cells: tuple[str, ...]  # grade_ids of the autograded test cells, in order


# The graded items in the order students meet them (the contract between notebook,
# grader and instructors: grade_ids and defined names never change).
ITEMS: tuple[Item, ...] = (
    Item("affine_forward", "code", "affine_forward", ("affine_forward_check", "affine_forward_hidden")),
    Item("affine_backward", "code", "affine_backward", ("affine_backward_check", "affine_backward_hidden")),
    Item("relu_forward", "code", "relu_forward", ("relu_forward_check", "relu_forward_hidden")),
    Item("relu_backward", "code", "relu_backward", ("relu_backward_check", "relu_backward_hidden")),
    Item("inline_question_1", "markdown", None, ()),
    Item("inline_question_1_choices", "code", "inline_question_1_choices", ("inline_question_1_choices_hidden",)),
    Item("svm_loss", "code", "svm_loss", ("svm_loss_check", "svm_loss_hidden")),
    Item("softmax_loss", "code", "softmax_loss", ("softmax_loss_check", "softmax_loss_hidden")),
    Item("two_layer_net", "code", "TwoLayerNet", ("two_layer_net_check", "two_layer_net_hidden")),
    Item("solver", "code", "solver", ("solver_hidden",)),
    Item("hyperparameter_search", "code", "best_model", ("hyperparameter_search_hidden",)),
    Item("inline_question_2", "markdown", None, ()),
    Item("inline_question_2_choices", "code", "inline_question_2_choices", ("inline_question_2_choices_hidden",)),
)
ITEMS_BY_NAME = {item.name: item for item in ITEMS}
MANUAL_ITEMS = tuple(item.name for item in ITEMS if item.kind == "markdown")


@lru_cache(maxsize=1)
def settings() -> dict[str, Any]:
    """The parsed ``assignment.toml``."""
    with open(SETTINGS_FILE, "rb") as f:
        return tomllib.load(f)


def points() -> dict[str, float]:
    """Points of every grade cell (autograded test cells and hand-graded answers)."""
    return dict(settings()["points"])


def item_points(item: str) -> float:
    """Points of one item: its test cells, or the item itself when it is graded by hand."""
    pts = points()
    if item in MANUAL_ITEMS:
        return pts[item]
    return sum(pts[cell] for cell in ITEMS_BY_NAME[item].test_cells)


def dataset_name(override: str | None = None) -> str:
    """The dataset in use: ``override``, else $TWO_LAYER_NET_DATASET, else the course setting."""
    name = override or os.environ.get(DATASET_ENV) or settings()["course"]["dataset"]
    if name not in DATASETS:
        raise ValueError(f"Unknown dataset {name!r}: the course supports {', '.join(DATASETS)}.")
    return name


def thresholds(dataset: str | None = None) -> dict[str, float]:
    """Validation accuracies the Solver run and the search must reach on ``dataset``."""
    return dict(settings()["thresholds"][dataset_name(dataset)])
