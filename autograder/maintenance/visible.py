"""``python -m autograder visible``: ``twolayer/checks/visible.npz``, the visible checks students run.

Each module of the suite (``autograder/suite/``) declares its items' visible checks (``visible()``:
the check functions of ``twolayer.checks`` and their inputs) and what the reference returns for an
input (``EXPECTED``). This writes them, with the reference's values filled in where the module
states none, into the file the notebook's check cells read: numbers, like the ones the original
exercise prints in its cells, not code. A test keeps the file in step with the suite.
"""

from __future__ import annotations

import importlib
import os
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from autograder.course.items import ITEMS
from autograder.course.reference import reference
from autograder.grading.run import SUITE
from twolayer.checks.cases import Case
from twolayer.checks.visible import VISIBLE_FILE, VisibleCheck, pack


def suite_modules() -> list[ModuleType]:
    """The suite's modules that declare visible checks."""
    modules = [importlib.import_module(f"autograder.suite.{path.stem}") for path in sorted(SUITE.glob("test_*.py"))]
    return [module for module in modules if hasattr(module, "visible")]


def visible_checks() -> dict[str, list[VisibleCheck]]:
    """Every item's visible checks, in the order students meet the items, with expected values."""
    ref = reference()
    found: dict[str, list[VisibleCheck]] = {}
    for module in suite_modules():
        for item, checks in module.visible().items():
            for check in checks:
                for case in (v for v in check.args.values() if isinstance(v, Case)):
                    _fill(case, module.EXPECTED[item](ref, case.inputs) if item in module.EXPECTED else {})
            found[item] = checks
    return {item.name: found[item.name] for item in ITEMS if item.name in found}


def _fill(case: Case, values: dict[str, Any]) -> None:
    """The reference's values where the case states none (the exercise's own numbers stay as stated)."""
    for name, value in values.items():
        if name not in case.expected:
            case.expected[name] = {k: np.asarray(v) for k, v in value.items()} if isinstance(value, dict) else value


def write(path: Path = VISIBLE_FILE) -> Path:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
    with os.fdopen(fd, "wb") as f:
        np.savez(f, **pack(visible_checks()))
    os.replace(tmp, path)
    return path
