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

from .cases import Case
from .findings import CheckFailed, Finding
from .targets import LocalTarget, Target

VISIBLE_FILE = Path(__file__).with_name("visible.npz")


@dataclass
class VisibleCheck:
    """One check of an item on visible inputs: a check function of this package (``"losses.check_loss"``)
    and its arguments besides the target (numbers, strings, arrays and :class:`Case` objects)."""

    name: str
    function: str
    args: dict[str, Any] = field(default_factory=dict)

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

    spec = {item: [[c.name, c.function, encode(c.args)] for c in found] for item, found in checks.items()}
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
    return {item: [VisibleCheck(n, f, decode(a)) for n, f, a in found] for item, found in spec.items()}


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
    return [finding for check in visible_checks(item) for finding in check.run(t)]


def report(item: str, findings: list[Finding], *, verbose: bool = True) -> str:
    lines = [f.text() for f in findings if verbose or not f.passed]
    passed = sum(f.passed for f in findings)
    verdict = (
        "all checks passed" if passed == len(findings) else f"{len(findings) - passed} of {len(findings)} checks failed"
    )
    return "\n".join([f"{item}: {verdict}"] + ["  " + line for line in lines])


def self_check(item: str, namespace: dict[str, Any], *, verbose: bool = False) -> None:
    """Check one item of your notebook on visible inputs; prints PASS/FAIL and raises when a check fails.

    Call it as ``self_check("affine_forward", globals())``. The grader runs these checks
    and more of them on hidden inputs.
    """
    findings = visible_findings(item, LocalTarget(namespace))
    print(report(item, findings, verbose=verbose))
    if not all(f.passed for f in findings):
        raise CheckFailed(item, findings)
