"""Reports: a text table for people, JSON, Gradescope's results.json, and the grades CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from .feedback import grouped
from .items import ITEMS
from .results import SubmissionResult


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


def _plain(value: object) -> object:
    """numpy scalars and other stragglers as JSON numbers or strings."""
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def to_json(result: SubmissionResult) -> str:
    """One result as JSON (``SubmissionResult.from_dict`` reads it back)."""
    return json.dumps(result.to_dict(), default=_plain)


def json_report(results: list[SubmissionResult]) -> str:
    return json.dumps({"submissions": [r.to_dict() for r in results]}, indent=2, default=_plain)


def gradescope(result: SubmissionResult) -> str:
    """Gradescope's results.json for one submission (``autograder.gradescope.results``)."""
    from .gradescope import results  # here: that module uses this one's _plain

    return results.dumps(results.document(result))


def grades_csv(results: Iterable[SubmissionResult]) -> str:
    items = [i.name for i in ITEMS]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["student", "status", "score", "max_score", *items, "dataset", "sandbox", "reason", "path"])
    for r in results:
        scores = r.item_scores()
        if not r.graded:
            writer.writerow([r.student, r.status, "", "", *["" for _ in items], r.dataset, r.sandbox, r.reason, r.path])
            continue
        row = []
        for i in items:
            if i not in scores:  # not graded in this run (--item)
                row.append("")
                continue
            got, _ = scores[i]
            row.append("manual" if got is None else f"{got:g}")
        writer.writerow(
            [r.student, r.status, f"{r.score:g}", f"{r.max_score:g}", *row, r.dataset, r.sandbox, "", r.path]
        )
    return out.getvalue()
