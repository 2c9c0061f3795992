"""A grading's records made into its typed result: one :class:`CellResult` per nbgrader grade cell,
the share of its points (``assignment.toml``) its passed checks carry, each check with its weight
(:func:`cell_points`), and notes (an item checked with correct versions of items it calls; with the
course's stand-ins off, an item that fails while an item its code calls fails too; a kernel named
other than the course's)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from autograder.course.items import ITEMS, ITEMS_BY_NAME
from autograder.course.names import KERNEL
from autograder.course.notebook import training_seeds
from twolayer.checks.findings import Finding
from twolayer.config import points

from .results import CellResult, CheckResult, Status, SubmissionResult, Visibility, not_run, student_name

if TYPE_CHECKING:
    from .plugin import Grading, Record


def score(grading: Grading) -> SubmissionResult:
    """The typed result of ``grading``'s records."""
    path = grading.path
    result = SubmissionResult(
        str(path), student_name(path), dataset=grading.dataset, seed=grading.seed, sandbox=grading.containment
    )
    if grading.sub.error:
        result.status, result.reason = Status.UNGRADED, grading.sub.error
        return result
    if grading.sandbox_failure:
        return not_run(result, grading.sandbox_failure)
    errors = [r.grader_error for r in grading.records if r.grader_error]
    if errors:
        result.status, result.reason = Status.UNGRADED, f"the grader failed on this notebook: {errors[0]}"
        result.grader_failed = True
        return result
    if grading.sub.kernel and grading.sub.kernel not in ("python3", "python", KERNEL):
        result.notes.append(
            f"the notebook names the kernel {grading.sub.kernel!r}; it was graded with the course's Python"
        )
    pts = points()
    for item in ITEMS:
        if item.name not in grading.wanted or not (item.by_hand or item.name in grading.collected):
            continue
        if item.by_hand:
            result.cells.append(CellResult(item.name, item.name, Visibility.MANUAL, pts[item.name], None, None))
            result.manual_answers[item.name] = grading.sub.answers.get(
                item.name, f"({grading.sub.problems.get(item.name, 'missing')})"
            )
            continue
        for grade_id in item.test_cells:
            visibility = Visibility.VISIBLE if grade_id.endswith("_check") else Visibility.HIDDEN
            records = [r for r in grading.records if (r.item, r.visibility) == (item.name, visibility)]
            # Code that stopped or hung its worker left the item's later checks unrun (they fail at
            # once): what it earned would depend on the order of the checks, so it is all or nothing.
            whole = item.all_or_nothing or item.name in grading.student.broken
            result.cells.append(_cell(grade_id, item.name, visibility, pts[grade_id], records, whole))
    result.accuracies = dict(grading.accuracies)
    result.cell_seconds.update(grading.student.cell_seconds())
    if grading.student.training is not None:
        result.budgets = dict(grading.student.training.budgets)
        result.training_seeds = training_seeds(grading.seed, (cell for cell, _ in grading.student.training.cells))
    result.choices = dict(grading.choices)
    result.notes += grading.student.notes
    result.stand_ins = {item: list(found) for item, found in grading.stand_ins.items() if item in grading.wanted}
    result.notes += [result.stand_in_note(item) for item in result.stand_ins]
    if not grading.stand_ins_on:
        _explain_dependencies(result)
    return result


def _cell(
    grade_id: str, item: str, visibility: Visibility, max_points: float, records: list[Record], all_or_nothing: bool
) -> CellResult:
    """A grade cell from the records of its checks."""
    total = sum(r.weight for r in records)
    checks = [
        CheckResult(
            r.label(),
            r.weight,
            round(max_points * r.weight / total, 2),
            r.passed,
            [f for f in r.findings if not f.passed],
        )
        for r in records
    ]
    points = cell_points(max_points, checks, all_or_nothing)
    found = _distinct(f for r in records for f in r.findings)
    return CellResult(
        grade_id, item, visibility, max_points, points, bool(checks) and points == max_points, found, checks=checks
    )


def cell_points(max_points: float, checks: list[CheckResult], all_or_nothing: bool = False) -> float:
    """The points a grade cell earns: the share its passed checks carry by weight (rounded to
    hundredths, as nbgrader shows a test cell's value), or, ``all_or_nothing``, all or none."""
    total = sum(c.weight for c in checks)
    if not checks or total <= 0:
        return 0.0
    if all(c.passed for c in checks):
        return float(max_points)
    if all_or_nothing:
        return 0.0
    return round(max_points * sum(c.weight for c in checks if c.passed) / total, 2)


def _distinct(findings: Any) -> list[Finding]:
    """The findings in order, each once (an item that cannot run says so once, not per check)."""
    seen: set[tuple] = set()
    out = []
    for f in findings:
        key = (f.passed, f.check, f.message, f.hint)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _explain_dependencies(result: SubmissionResult) -> None:
    """With the course's stand-ins off: an item that fails while an item its code calls fails too
    says so (each is graded with the student's own code)."""
    failed_items = {c.item for c in result.cells if c.passed is False}
    for item in failed_items:
        broken = [d for d in ITEMS_BY_NAME[item].depends if d in failed_items]
        if broken:
            note = (
                f"{item} calls your {', '.join(broken)}, which also fail(s) their own checks: fix "
                f"{'it' if len(broken) == 1 else 'them'} first, then check {item} again"
            )
            for cell in result.cells_of(item):
                if not cell.passed:
                    cell.findings.append(Finding(False, "dependencies", note))
