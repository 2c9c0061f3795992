"""Gradescope's results.json, from a typed :class:`~autograder.grading.results.SubmissionResult`.

One test per autograded nbgrader grade cell (visible checks, hidden checks), with the points it
earned as in nbgrader (its passed checks' share), and a line per check with its share; the inline
questions are graded by hand and not listed. ``tags`` holds the item (the
grade_id of its answer cell), ``number`` the grade cell's grade_id. What students see of each
test follows ``[gradescope]`` in assignment.toml; the leaderboard shows the validation accuracy
of the search's best model.
"""

from __future__ import annotations

import json
from typing import Any

from autograder.course.gradescope_settings import Settings
from autograder.course.late import Lateness
from autograder.course.version import grader_version
from autograder.grading.results import CellResult, SubmissionResult, Visibility

from .json_report import plain


def test_output(cell: CellResult, note: str = "") -> str:
    """A test's output in Markdown: the cell's points, each check with its share of them, and for
    a failed one what is wrong and the hint (each hint once); ``note``, what the student must know first."""
    lines = [f"*{note}.*", ""] if note else []
    if cell.checks:
        lines.append(f"{cell.points or 0:g} of {cell.max_points:g} points: each check passed earns its share.")
    hinted: set[str] = set()

    def explain(failures: list, name: str) -> None:
        for f in failures:
            if f.check != name:
                lines.append(f"  {f.check}")
            if f.message:
                lines.append(f"  {f.message}")
            if f.hint and f.hint not in hinted:
                hinted.add(f.hint)
                lines.append(f"  *Hint:* {f.hint}")

    for check in cell.checks:
        worth = f"({check.worth:g} points)" if check.passed else f"(0 of {check.worth:g} points)"
        lines.append(f"- {'PASS' if check.passed else '**FAIL**'} {check.check} {worth}")
        explain(check.failures, check.check)
    if not cell.checks:  # a cell failed before any check ran (its code missing, a dependency note): still say why
        explain(cell.failures, "")
    return "\n".join(lines) or "No check ran."


def tests(result: SubmissionResult, settings: Settings) -> list[dict[str, Any]]:
    out = []
    for cell in result.cells:
        if cell.visibility is Visibility.MANUAL:
            continue
        visible = cell.visibility is Visibility.VISIBLE
        out.append(
            {
                "name": f"{cell.item} ({cell.visibility} checks)",
                "number": cell.grade_id,
                "score": cell.points or 0.0,
                "max_score": cell.max_points,
                "status": "passed" if cell.passed else "failed",
                "output": test_output(cell, result.stand_in_note(cell.item)),
                "output_format": "md",
                "tags": [cell.item],
                "visibility": settings.visible_checks if visible else settings.hidden_checks,
            }
        )
    return out


def leaderboard(result: SubmissionResult, item: str) -> list[dict[str, Any]]:
    acc = result.accuracies.get(item)
    if not acc:
        return []
    return [{"name": "Validation accuracy", "value": round(float(acc["val_acc"]), 4), "order": "desc"}]


def summary(result: SubmissionResult, lateness: Lateness | None, notices: list[str]) -> str:
    """The top-level output students read first (Markdown)."""
    lines = [f"**Autograded score: {result.score:g} / {result.max_score:g}**"]
    if lateness is not None and lateness.seconds_late > 0:
        lines.append(lateness.text(result.score, result.max_score))
    lines += notices
    for item, acc in result.accuracies.items():
        lines.append(f"- `{item}`: validation accuracy {acc['val_acc']:.3f}")
    lines.append(
        f"\nInline questions 1 and 2 ({result.manual_points:g} points) are graded by hand. Dataset: {result.dataset}."
    )
    lines += [f"- note: {note}" for note in result.notes]
    return "\n".join(lines)


def document(
    result: SubmissionResult,
    settings: Settings | None = None,
    *,
    lateness: Lateness | None = None,
    notices: list[str] = (),
) -> dict[str, Any]:
    """results.json of one graded (or ungraded) submission."""
    settings = settings or Settings.from_settings()
    if not result.graded:
        return ungraded(
            result.reason, result.seconds, settings, dataset=result.dataset, seed=result.seed, sandbox=result.sandbox
        )
    score = lateness.score(result.score) if lateness is not None else result.score
    doc: dict[str, Any] = {
        "score": score,
        "execution_time": round(result.seconds),
        "output": summary(result, lateness, list(notices)),
        "output_format": "md",
        "test_output_format": "md",
        "stdout_visibility": settings.stdout_visibility,
        "tests": tests(result, settings),
        "extra_data": {
            "status": str(result.status),
            "dataset": result.dataset,
            "seed": result.seed,
            "sandbox": result.sandbox,
            "grader_version": grader_version(),
            "score_before_late_penalty": result.score,
            "late_fraction": lateness.fraction if lateness is not None else 0.0,
        },
    }
    board = leaderboard(result, settings.leaderboard)
    if board:
        doc["leaderboard"] = board
    return doc


def ungraded(
    reason: str,
    seconds: float,
    settings: Settings | None = None,
    *,
    dataset: str = "",
    seed: int = 0,
    sandbox: str = "",
) -> dict[str, Any]:
    """The results.json of a submission that could not be graded: it says so and why.

    The score is 0 because Gradescope needs a number, but the output and a failed test named
    "Not graded" say that this is not a grade, and extra_data marks it "ungraded" for the staff."""
    message = (
        f"**This submission could not be graded:** {reason}\n\n"
        "The 0 shown is not a grade. Fix what is said above and submit again; if it is not "
        "something you can fix, tell the course staff."
    )
    return {
        "score": 0.0,
        "execution_time": round(seconds),
        "output": message,
        "output_format": "md",
        "stdout_visibility": (settings.stdout_visibility if settings else "hidden"),
        "tests": [
            {
                "name": "Not graded",
                "score": 0.0,
                "max_score": 0.0,
                "status": "failed",
                "output": reason,
                "output_format": "text",
                "visibility": "visible",
            }
        ],
        "extra_data": {"status": "ungraded", "reason": reason, "dataset": dataset, "seed": seed, "sandbox": sandbox},
    }


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, default=plain)
