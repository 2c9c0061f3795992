"""The reports a grading run writes, as its options ask: one report (text, JSON or Gradescope's
results.json) and the grades CSV, or a Canvas gradebook matched to Canvas's own export."""

from __future__ import annotations

import sys
from pathlib import Path

from autograder.grading.results import SubmissionResult

from . import gradescope
from .canvas import from_results
from .grades_csv import grades_csv
from .json_report import json_report
from .text import text


def write(
    results: list[SubmissionResult],
    *,
    format: str = "text",
    output: str | None = None,
    csv: str | None = None,
    canvas: str | None = None,
    canvas_column: str | None = None,
    gradebook: str | None = None,
    details: bool = True,
    footer: str = "",
) -> int:
    """Write the report (``format`` text, json or gradescope; into ``output``, else standard output)
    and the grades ``csv``: where ``canvas`` names a roster exported from Canvas, that roster with the
    assignment's own column (``canvas_column``, or found by name) filled, with the points graded by
    hand in nbgrader's ``gradebook`` where one is given. 0, or 2 where the report cannot be made
    (Gradescope's is of one notebook)."""
    if format == "text":
        out = text(results, details=details) + (f"{footer}\n" if footer else "")
    elif format == "json":
        out = json_report(results)
    else:
        if len(results) != 1:
            print("--format gradescope grades exactly one notebook", file=sys.stderr)
            return 2
        out = gradescope.dumps(gradescope.document(results[0]))
    if output:
        Path(output).write_text(out)
    else:
        sys.stdout.write(out)
    if csv and canvas:
        matched = from_results(
            results, Path(canvas), column=canvas_column, gradebook=Path(gradebook) if gradebook else None
        )
        Path(csv).write_text(matched.text)
        print(matched.report(), file=sys.stderr)
    elif csv:
        Path(csv).write_text(grades_csv(results))
    return 0
