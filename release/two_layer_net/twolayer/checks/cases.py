"""What every check function is built on: a :class:`Case` (the inputs of one check and what is
expected of them), and running a check so that an exception of the code under test becomes one
failed finding (:func:`guarded`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .compare import (
    VALUE_RTOL,
    compare_array,
    compare_scalar,
    describe,
)
from .findings import HINTS, Finding
from .targets import StudentCodeError

#: What the checks on the exercise's own inputs (those the original exercise states) say they ran on.
FIXED_INPUTS = "the fixed inputs of the exercise"


@dataclass
class Case:
    """Inputs of one check and the expected results (``None`` where not known)."""

    on: str  # FIXED_INPUTS, or "random inputs of shape (4, 3, 5)"
    inputs: dict[str, Any]
    expected: dict[str, Any] = field(default_factory=dict)
    # Optional: (what, wrong value) -> a hint for it, or "" (the grader recognises known mistakes).
    explain: Callable[[str, Any], str] | None = None

    def hinted(self, what: str, got: Any, finding: Finding) -> Finding:
        if not finding.passed and not finding.hint and self.explain is not None:
            finding.hint = self.explain(what, got) or ""
        return finding

    def compare(
        self, what: str, got: Any, *, rtol: float = VALUE_RTOL, label: str = "", expected: Any = None
    ) -> list[Finding]:
        """``got`` against the expected ``what`` (an array or a number) with the hint for a wrong
        value, shown as ``label``; nothing when nothing is expected of ``what``."""
        if expected is None:
            if what not in self.expected:
                return []
            expected = self.expected[what]
        compare = compare_scalar if np.ndim(expected) == 0 else compare_array
        return [self.hinted(what, got, compare(label or what, got, expected, on=self.on, rtol=rtol))]


def guarded(check: str, body: Callable[[], list[Finding]]) -> list[Finding]:
    """Run ``body``; an exception of the student's code becomes one failed finding."""
    try:
        return body()
    except StudentCodeError as err:
        hint = HINTS["not_implemented"] if err.kind == "not_implemented" else ""
        return [Finding(False, check, str(err), hint)]


def unpack(what: str, result: Any, n: int, names: str) -> tuple[Any, ...] | Finding:
    if not isinstance(result, (tuple, list)) or len(result) != n:
        return Finding(
            False, f"{what} returns {names}", f"{what} should return a tuple ({names}), got {describe(result)}"
        )
    return tuple(result)


# --- layers ----------------------------------------------------------------------------
