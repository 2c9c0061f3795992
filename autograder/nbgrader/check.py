"""``python -m autograder check``: what the hidden test cells of the nbgrader notebook run.

One process grades all the items asked for (the nbgrader notebook's nine hidden cells that need
no trained model cost one start-up, about 1 s, instead of nine), and says for each item what its
cell prints, whether it passed and the points of its cells: the hidden cell's, which the cell
gives as its value (nbgrader reads a test cell's number as its points), and the visible cell's,
which nbgrader's kernel launcher records for the check cell (``kernel.verdicts``).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograder.grading.options import Options
from autograder.grading.results import SubmissionResult, Visibility
from autograder.grading.run import grade_submission
from autograder.reports.feedback import grouped

from .kernel.hidden_checks import GRADER_FAILED


@dataclass
class Verdict:
    """What one item's test cell prints, whether the cell passes, and the points of its cells."""

    lines: list[str]
    passed: bool
    visible_passed: bool | None  # the item's visible checks, as the grader ran them (None: it has none)
    points: float = 0.0  # of the item's cells of the part asked for
    visible_points: float | None = None  # of its visible cell (None: it has none)

    @property
    def stdout(self) -> str:
        return "\n".join(self.lines) + "\n"


def verdict(result: SubmissionResult, item: str, part: Visibility) -> Verdict:
    if not result.graded:
        return Verdict([f"{item}: could not be graded: {result.reason}"], False, False)
    visible = result.cells_of(item, Visibility.VISIBLE)
    visible_passed = all(bool(c.passed) for c in visible) if visible else None
    visible_points = round(sum(c.points or 0.0 for c in visible), 2) if visible else None
    cells = result.cells_of(item, part)
    passed = all(c.passed for c in cells)
    points, most = round(sum(c.points or 0.0 for c in cells), 2), sum(c.max_points for c in cells)
    lines = [line for failure in grouped(cells) for line in failure.lines(indent="")]
    if item in result.accuracies:
        acc = result.accuracies[item]
        lines.append(f"{item}: validation accuracy {acc['val_acc']:.3f}, test accuracy {acc['test_acc']:.3f}")
    if result.stand_in_note(item):
        lines.append(f"{item}: note: {result.stand_in_note(item)}")
    said = "all hidden checks passed" if passed else "hidden checks failed"
    lines.append(f"{item}: {said} ({points:g} of {most:g} points)")
    return Verdict(lines, passed, visible_passed, points, visible_points)


def main(
    notebook: str,
    items: list[str],
    *,
    part: str = "hidden",
    params: str | None = None,
    dataset: str | None = None,
    seed: int | None = None,
    as_json: bool = False,
) -> int:
    """Print the items' verdicts; exit status 1 if one failed (0 with ``as_json`` once it ran)."""
    items = list(dict.fromkeys(items))
    trained = None
    if params:
        if len(items) != 1:
            print("error: --params goes with exactly one --item", file=sys.stderr)
            return 2
        with np.load(params, allow_pickle=False) as z:
            trained = {items[0]: {k: z[k] for k in z.files}}
    result = grade_submission(Path(notebook), Options(dataset=dataset, items=tuple(items), params=trained, seed=seed))
    verdicts = {item: verdict(result, item, Visibility(part)) for item in items}
    failed = GRADER_FAILED if result.grader_failed else 1
    if as_json:
        json.dump(
            {
                "items": {
                    item: {
                        "stdout": v.stdout,
                        "returncode": 0 if v.passed else failed,
                        "visible": None if result.grader_failed else v.visible_passed,
                        "points": v.points,
                        "visible_points": None if result.grader_failed else v.visible_points,
                    }
                    for item, v in verdicts.items()
                }
            },
            sys.stdout,
        )
        return 0
    for v in verdicts.values():
        print("\n".join(v.lines))
    return 0 if all(v.passed for v in verdicts.values()) else failed
