"""The checks behind every check cell of the notebook.

``self_check("affine_forward", globals())`` runs, on visible inputs only, the same checks and
prints the same messages that the course's grader uses. The grader runs these checks too, and more
of them on inputs you do not see, comparing against a reference solution that is not in this folder.

Which checks an item has, on which inputs, is in ``visible.npz`` beside this file: written by the
course from its grader's declaration of each item (numbers, like the ones the original exercise
prints in its cells, not code). A check talks to your code through a *target* (``targets``):
here, ``LocalTarget`` calls the functions of your notebook directly; the grader uses one that calls
them in a separate, sandboxed process. Either way the verdicts and messages are the same.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import import_module
from pathlib import Path
from typing import Any

import numpy as np

from ..config import points
from .cases import Case
from .findings import CheckFailed, Finding
from .targets import LocalTarget, Target

VISIBLE_FILE = Path(__file__).with_name("visible.npz")


@dataclass
class VisibleCheck:
    """One check of an item on visible inputs: a check function of this package (``"losses.check_loss"``)
    and its arguments besides the target (numbers, strings, arrays and :class:`Case` objects), and its
    weight: the check cell earns the share of its points that its passed checks weigh."""

    name: str
    function: str
    args: dict[str, Any] = field(default_factory=dict)
    weight: float = 1.0

    def run(self, t: Target) -> list[Finding]:
        module, name = self.function.split(".")
        return getattr(import_module(f"{__package__}.{module}"), name)(t, **self.args)

    def __str__(self) -> str:
        return self.name


# --- visible.npz: the checks as JSON, their arrays beside ------------------------------------


def pack(checks: dict[str, list[VisibleCheck]]) -> dict[str, np.ndarray]:
    """``checks`` (item -> its visible checks) as the arrays of ``visible.npz``."""
    arrays: dict[str, np.ndarray] = {}

    def encode(value: Any) -> Any:
        if isinstance(value, Case):
            return {"case": [value.on, encode(value.inputs), encode(value.expected)]}
        if isinstance(value, np.ndarray | np.generic):
            key = f"a{len(arrays)}"
            arrays[key] = np.asarray(value)
            return {"array": key}
        if isinstance(value, dict):
            return {"dict": {k: encode(v) for k, v in value.items()}}
        if isinstance(value, list | tuple):
            return {"list": [encode(v) for v in value]}
        return value

    spec = {
        item: [[c.name, c.function, encode(c.args), *([c.weight] if c.weight != 1.0 else [])] for c in found]
        for item, found in checks.items()
    }
    return {"spec": np.array(json.dumps(spec)), **arrays}


def unpack(stored: Any) -> dict[str, list[VisibleCheck]]:
    """The inverse of :func:`pack`, from the arrays of ``visible.npz``."""

    def decode(value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        ((tag, inner),) = value.items()
        if tag == "case":
            return Case(inner[0], decode(inner[1]), decode(inner[2]))
        if tag == "array":
            array = stored[inner]
            return float(array) if array.shape == () and array.dtype.kind == "f" else array
        if tag == "dict":
            return {k: decode(v) for k, v in inner.items()}
        return [decode(v) for v in inner]

    spec = json.loads(str(stored["spec"]))
    return {item: [VisibleCheck(n, f, decode(a), *w) for n, f, a, *w in found] for item, found in spec.items()}


@lru_cache(maxsize=1)
def _stored() -> dict[str, list[VisibleCheck]]:
    with np.load(VISIBLE_FILE, allow_pickle=False) as stored:
        return unpack(stored)


def visible_checks(item: str) -> list[VisibleCheck]:
    """The checks of one item on visible inputs, in the order the check cell runs them."""
    checks = _stored().get(item)
    if checks is None:
        raise KeyError(f"no visible checks for {item!r}")
    return checks


# --- the check cells --------------------------------------------------------------------------


def visible_findings(item: str, t: Target) -> list[Finding]:
    """Every visible check of one item (what ``self_check`` runs)."""
    return [finding for findings in _each_check(item, t) for finding in findings]


def _each_check(item: str, t: Target) -> list[list[Finding]]:
    return [check.run(t) for check in visible_checks(item)]


def cell_points(item: str, passed: list[bool]) -> tuple[float, float] | None:
    """(points earned, points) of the item's check cell when its visible checks passed as ``passed``:
    the share of the cell's points its passed checks weigh; None for a check cell worth no points."""
    most = points().get(f"{item}_check")
    if most is None:
        return None
    weights = [check.weight for check in visible_checks(item)]
    earned = sum(w for w, ok in zip(weights, passed, strict=True) if ok)
    return (float(most) if all(passed) else round(most * earned / sum(weights), 2)), float(most)


def report(
    item: str, each: list[list[Finding]], *, verbose: bool = True, worth: tuple[float, float] | None = None
) -> str:
    """What ``self_check`` prints: how many of the item's checks failed (each check's findings in
    ``each``), the points the passed ones earn, and each finding (the failed ones, unless ``verbose``)."""
    lines = [f.text() for found in each for f in found if verbose or not f.passed]
    failed = sum(not _passed(found) for found in each)
    verdict = "all checks passed" if not failed else f"{failed} of {len(each)} checks failed"
    if worth is not None:
        verdict += f" ({worth[0]:g} of {worth[1]:g} points)"
    return "\n".join([f"{item}: {verdict}"] + ["  " + line for line in lines])


def _passed(found: list[Finding]) -> bool:
    return bool(found) and all(f.passed for f in found)


def self_check(item: str, namespace: dict[str, Any], *, verbose: bool = False) -> float | None:
    """Check one item of your notebook on visible inputs; prints PASS/FAIL and raises when a check fails.

    Call it as ``self_check("affine_forward", globals())``. When every check passes, its value is
    the points of the item's check cell (the cell shows them); when one fails, it says how many
    points the checks that passed earn (each check its share of the cell's points) and raises,
    so that "Run All" stops there. The grader runs these checks and more of them on hidden inputs;
    under nbgrader, the check cell gets the points of the grader's own run of them.
    """
    each = _each_check(item, LocalTarget(namespace))
    passed = [_passed(found) for found in each]
    worth = cell_points(item, passed)
    print(report(item, each, verbose=verbose, worth=worth))
    if not all(passed):
        findings = [finding for found in each for finding in found]
        raise CheckFailed(item, findings, (passed.count(False), len(passed)))
    return worth[0] if worth is not None else None
