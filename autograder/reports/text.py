"""The text report, for people: each submission's points item by item, its accuracies and notes,
and what to fix, each way a check failed once and each hint once."""

from __future__ import annotations

import io
from collections.abc import Iterable

from autograder.course.items import ITEMS
from autograder.grading.results import SubmissionResult

from .feedback import grouped


def feedback_lines(result: SubmissionResult) -> list[str]:
    """What to fix, item by item: each way a check failed once, each hint once."""
    return [line for failure in grouped(result.cells) for line in failure.lines()]


def text(results: Iterable[SubmissionResult], *, details: bool = True) -> str:
    out = io.StringIO()
    for r in results:
        out.write(f"== {r.student}  ({r.path})\n")
        if not r.graded:
            out.write(f"   UNGRADED: {r.reason}\n\n")
            continue
        out.write(f"   dataset: {r.dataset}   seed: {r.seed}   sandbox: {r.sandbox}   time: {r.seconds:.1f} s\n")
        scores = r.item_scores()
        width = max(len(i.name) for i in ITEMS)
        for item in ITEMS:
            if item.name not in scores:
                continue
            got, total = scores[item.name]
            shown = "  (by hand)" if got is None else f"{got:5.1f}"
            mark = "" if got is None else ("  ok" if got == total else "  <-")
            out.write(f"   {item.name:<{width}}  {shown} / {total:4.1f}{mark}\n")
        for item, acc in r.accuracies.items():
            out.write(f"   {item}: validation {acc['val_acc']:.3f}, test {acc['test_acc']:.3f}\n")
        out.write(
            f"   autograded score: {r.score:.1f} / {r.max_score:.1f} (+ {r.manual_points:.0f} points graded by hand)\n"
        )
        if details:
            lines = feedback_lines(r)
            if lines:
                out.write("   What to fix:\n" + "\n".join(lines) + "\n")
        for note in r.notes:
            out.write(f"   note: {note}\n")
        out.write("\n")
    return out.getvalue()
