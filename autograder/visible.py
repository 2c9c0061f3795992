"""Expected values of the visible checks, written by the reference into the helper library.

``twolayer/visible_expected.npz`` holds what the reference returns on the visible inputs of
``twolayer.checks.visible_cases()``: numbers, like the ones the original exercise prints in
its cells, not code. Each item's values are computed by the function its tests declare with
``@expected_values`` (``autograder/suite/``). ``python -m autograder visible`` rewrites the
file; a test keeps it in step.
"""

from __future__ import annotations

import importlib
import os
import tempfile
from pathlib import Path

import numpy as np

from twolayer import checks as C

from .grading import SUITE
from .reference import reference


def expected_values() -> dict[str, np.ndarray]:
    for module in sorted(SUITE.glob("test_*.py")):  # each module registers its items' functions
        importlib.import_module(f"autograder.suite.{module.stem}")
    from .suite.marks import EXPECTED

    ref = reference()
    out: dict[str, np.ndarray] = {}
    for item, cases in C.visible_cases().items():
        for i, case in enumerate(cases):
            values = EXPECTED[item](ref, case.inputs)
            values.update({f"grads.{k}": v for k, v in values.pop("grads", {}).items()})
            for name, value in values.items():
                if name not in case.expected:  # hand-stated values of the exercise stay as stated
                    out[f"{item}/{i}/{name}"] = np.asarray(value)
    return out


def write(path: Path | None = None) -> Path:
    path = path or Path(C.__file__).with_name(C.VISIBLE_FILE)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
    with os.fdopen(fd, "wb") as f:
        np.savez(f, **expected_values())
    os.replace(tmp, path)
    return path
