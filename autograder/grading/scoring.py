"""A grading's records made into its typed result: one :class:`CellResult` per nbgrader grade cell,
all or nothing, points from ``assignment.toml``, and notes (an item that fails while an item its
code calls fails too; a kernel named other than the course's)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from autograder.course.items import ITEMS, ITEMS_BY_NAME
from autograder.course.names import KERNEL
from autograder.course.notebook import training_seeds
from twolayer.checks.findings import Finding
from twolayer.config import points

from .results import CellResult, Status, SubmissionResult, Visibility, not_run, student_name

if TYPE_CHECKING:
    from .plugin import Grading


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
            found = _distinct(
                f for r in grading.records if (r.item, r.visibility) == (item.name, visibility) for f in r.findings
            )
            passed = bool(found) and all(f.passed for f in found)
            result.cells.append(
                CellResult(
                    grade_id, item.name, visibility, pts[grade_id], pts[grade_id] if passed else 0.0, passed, found
                )
            )
    result.accuracies = dict(grading.accuracies)
    result.cell_seconds.update(grading.student.cell_seconds())
    if grading.student.training is not None:
        result.budgets = dict(grading.student.training.budgets)
        result.training_seeds = training_seeds(grading.seed, (cell for cell, _ in grading.student.training.cells))
    result.choices = dict(grading.choices)
    result.notes += grading.student.notes
    _explain_dependencies(result)
    return result


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
    """An item that fails while an item its code calls fails too: say so (each is graded on its own)."""
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
