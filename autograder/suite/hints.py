"""Recognising known mistakes in a wrong value, to give the hint that names the mistake.

A test lists, for a value it checks, what each known mistake would have returned on the same
inputs; a wrong value that matches one gets that mistake's hint. Only the grader does this:
the hints live beside the tests that give them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from twolayer.checks.compare import rel_diff
from twolayer.checks.findings import Finding

Mistakes = dict[str, list[tuple[str, Callable[[], Any]]]]  # value name -> [(hint, what the mistake returns)]


def close(a: Any, b: Any, rtol: float = 1e-4) -> bool:
    try:
        a = np.asarray(a, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.all(np.isfinite(a))) and rel_diff(a, b) <= rtol


def recognise(mistakes: Mistakes) -> Callable[[str, Any], str]:
    """``(what, got) -> hint`` for a ``Case``: the hint of the first mistake that returns ``got``."""

    def explain(what: str, got: Any) -> str:
        for hint, make in mistakes.get(what, []):
            try:
                if close(got, make()):
                    return hint
            except Exception:  # noqa: BLE001 - a mistake's formula that does not apply to these inputs
                continue
        return ""

    return explain


def hint_failures(findings: list[Finding], hint: str, when: Callable[[Finding], bool]) -> list[Finding]:
    """Give ``hint`` to the failed findings without a hint for which ``when`` holds."""
    for f in findings:
        if not f.passed and not f.hint and when(f):
            f.hint = hint
    return findings
