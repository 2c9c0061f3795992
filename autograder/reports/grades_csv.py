"""The grades CSV: one row per submission, the autograded points item by item (*ungraded*
submissions marked so, with the reason, never 0), the dataset and what contained the code."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from autograder.course.items import ITEMS
from autograder.grading.results import SubmissionResult


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
