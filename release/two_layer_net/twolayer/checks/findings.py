"""What a check says: a :class:`Finding` per check, and the hints for mistakes it recognises."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Finding:
    """The verdict of one check: what was checked, whether it passed, and why not."""

    passed: bool
    check: str
    message: str = ""
    hint: str = ""

    def __post_init__(self) -> None:
        self.passed = bool(self.passed)  # numpy booleans from comparisons must not leak into reports

    def text(self) -> str:
        mark = "PASS" if self.passed else "FAIL"
        out = f"[{mark}] {self.check}"
        if not self.passed and self.message:
            out += f"\n       {self.message}"
        if not self.passed and self.hint:
            out += f"\n       Hint: {self.hint}"
        return out


class CheckFailed(AssertionError):
    """Raised by :func:`self_check` when a check fails: shows the messages, not a traceback."""

    def __init__(self, item: str, findings: list[Finding], counts: tuple[int, int] | None = None):
        """``counts``: (checks failed, checks) when a check gives several findings; by default each
        finding is a check."""
        self.item = item
        self.findings = findings
        failed = [f for f in findings if not f.passed]
        self.counts = counts or (len(failed), len(findings))
        super().__init__(
            f"{item}: {len(failed)} check(s) failed: " + "; ".join(f"{f.check}: {f.message}" for f in failed)
        )

    def _render_traceback_(self) -> list[str]:  # IPython shows this instead of a traceback
        failed = [f for f in self.findings if not f.passed]
        first = failed[0] if failed else None
        detail = f" First: {first.check}: {first.message}" if first and first.message else ""
        return [
            f"\x1b[31m{self.item}: {self.counts[0]} of {self.counts[1]} checks failed.{detail} "
            "Fix your code, run its cell again, then this one.\x1b[0m"
        ]


# Hints that any check gives. (Each group's check functions have the hints of the mistakes they
# recognise; the grader recognises more on its hidden inputs, with hints of its own.)
HINTS = {
    "not_implemented": "Replace `raise NotImplementedError()` in the cell with your code and run that cell.",
    "in_place": "Your function changed its input array. Work on a copy (or use np.maximum / new arrays) so that the "
    "caller's data stays as it was.",
}
