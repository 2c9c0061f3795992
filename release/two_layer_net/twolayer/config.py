"""The course settings, read from ``assignment.toml`` beside this file.

Everything the notebook, nbgrader and the autograder must agree on lives in that one file:
the dataset in use, the points of every graded cell and the accuracy thresholds.
"""

from __future__ import annotations

import os
import sys
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


@lru_cache(maxsize=1)
def settings() -> dict[str, Any]:
    """The parsed ``assignment.toml``."""
    with open(SETTINGS_FILE, "rb") as f:
        return tomllib.load(f)


def points() -> dict[str, float]:
    """Points of every grade cell (autograded test cells and hand-graded answers)."""
    return dict(settings()["points"])


def dataset_name(override: str | None = None) -> str:
    """The dataset in use: ``override``, else $TWO_LAYER_NET_DATASET, else the course setting."""
    name = override or os.environ.get(DATASET_ENV) or settings()["course"]["dataset"]
    if name not in DATASETS:
        raise ValueError(f"Unknown dataset {name!r}: the course supports {', '.join(DATASETS)}.")
    return name


def thresholds(dataset: str | None = None) -> dict[str, float]:
    """Validation accuracies the Solver run and the search must reach on ``dataset``."""
    return dict(settings()["thresholds"][dataset_name(dataset)])


def training_budgets(dataset: str | None = None) -> dict[str, float]:
    """Seconds the grader gives the training cells on ``dataset`` (``solver``,
    ``hyperparameter_search``) and every other cell of the training run (``setup``)."""
    budgets = settings()["budgets"][dataset_name(dataset)]
    return {cell: float(seconds) for cell, seconds in budgets.items()}


def section(name: str) -> dict[str, Any]:
    """A table of ``assignment.toml`` that may be absent (``gradescope``, ``late``): {} then."""
    return dict(settings().get(name, {}))
