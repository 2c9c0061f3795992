"""What a student reads about a failing item: its failures grouped by check, each hint once.

A function that is wrong usually fails the same check on every hidden input: the student gets
that check once, with the number of inputs it failed on and the hint for the item's mistake once,
not the same lines for each input. The inputs are described as the checks describe them (their
shapes), never shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from autograder.grading.results import CellResult

_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?(e[-+]?\d+)?")


@dataclass
class Failure:
    """One way a cell's checks failed, on one input or several."""

    grade_id: str
    check: str  # the first input's check, e.g. "out on random inputs of shape (7, 5)"
    message: str  # the first input's message
    hint: str  # "" when the item's earlier failure gave the same hint
    more: int = 0  # other inputs that failed the same way

    def lines(self, indent: str = "  ") -> list[str]:
        more = f" (and {self.more} more input{'s' * (self.more > 1)})" if self.more else ""
        out = [f"{indent}[{self.grade_id}] FAIL {self.check}{more}"]
        if self.message:
            out.append(f"{indent}    {self.message}")
        if self.hint:
            out.append(f"{indent}    Hint: {self.hint}")
        return out


def grouped(cells: list[CellResult]) -> list[Failure]:
    """The failures of ``cells``, one per cell and kind of failure, each hint once per item."""
    out: list[Failure] = []
    hinted: set[tuple[str, str]] = set()
    for cell in cells:
        kinds: dict[tuple[str, str], Failure] = {}
        for f in cell.failures:
            key = (_NUMBER.sub("#", f.message), f.hint)
            if key in kinds:
                kinds[key].more += 1
                continue
            hint = "" if (cell.item, f.hint) in hinted else f.hint
            hinted.add((cell.item, f.hint))
            kinds[key] = Failure(cell.grade_id, f.check, f.message, hint)
            out.append(kinds[key])
    return out
