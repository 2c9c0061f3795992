"""What grading a submission produces, typed until a report writes it.

Points are per nbgrader grade cell (``<item>_check`` visible, ``<item>_hidden`` hidden): the share
of its points that its passed checks carry (:class:`CheckResult`), which nbgrader's test cell reports
as its value, so that both graders agree.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from autograder.course.names import ASSIGNMENT, NOTEBOOK
from twolayer.checks.findings import Finding


class _Named(str, Enum):
    def __str__(self) -> str:
        return self.value


class Visibility(_Named):
    VISIBLE = "visible"  # the checks students run in the notebook's check cell
    HIDDEN = "hidden"  # the same checks on inputs students do not see
    MANUAL = "manual"  # graded by hand


class Status(_Named):
    GRADED = "graded"
    UNGRADED = "ungraded"  # the notebook could not be read, or the grader failed: never a 0


@dataclass
class CheckResult:
    """One check of a grade cell (a test of the suite): what it checked, its weight, its share of the
    cell's points and, when it failed, why."""

    check: str
    weight: float
    worth: float  # its share of the cell's points
    passed: bool
    failures: list[Finding] = field(default_factory=list)


@dataclass
class CellResult:
    grade_id: str
    item: str
    visibility: Visibility
    max_points: float
    points: float | None  # None: graded by hand; else the share its passed checks carry
    passed: bool | None  # every check passed
    findings: list[Finding] = field(default_factory=list)
    output: str = ""
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if not f.passed]


@dataclass
class SubmissionResult:
    path: str
    student: str
    status: Status = Status.GRADED
    reason: str = ""
    dataset: str = ""
    seed: int = 0
    cells: list[CellResult] = field(default_factory=list)
    accuracies: dict[str, dict[str, float]] = field(default_factory=dict)
    manual_answers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    cell_seconds: dict[str, float] = field(default_factory=dict)  # how long each cell ran, by cell id
    budgets: dict[str, float] = field(default_factory=dict)  # the training cells' time budgets applied
    training_seeds: dict[str, int] = field(default_factory=dict)  # item -> seed of the random state its cell began with
    choices: dict[str, list[int]] = field(default_factory=dict)  # inline question -> the options chosen
    notes: list[str] = field(default_factory=list)
    stand_ins: dict[str, list[str]] = field(default_factory=dict)  # item -> the items checked with correct versions
    sandbox: str = ""  # what contained the student's code (or that nothing did, by the instructor's choice)
    grader_failed: bool = False  # ungraded by a failure of the grader or its host, not of the submission

    @property
    def graded(self) -> bool:
        return self.status is Status.GRADED

    @property
    def score(self) -> float:
        return round(math.fsum(c.points or 0 for c in self.cells if c.visibility is not Visibility.MANUAL), 2)

    @property
    def max_score(self) -> float:
        return float(sum(c.max_points for c in self.cells if c.visibility is not Visibility.MANUAL))

    @property
    def manual_points(self) -> float:
        return float(sum(c.max_points for c in self.cells if c.visibility is Visibility.MANUAL))

    def cells_of(self, item: str, visibility: Visibility | None = None) -> list[CellResult]:
        return [c for c in self.cells if c.item == item and (visibility is None or c.visibility is visibility)]

    def item_scores(self) -> dict[str, tuple[float | None, float]]:
        """item -> (points, max points); points None for an item graded by hand."""
        scores: dict[str, tuple[float | None, float]] = {}
        for cell in self.cells:
            got, total = scores.get(cell.item, (0.0, 0.0))
            if cell.points is None:
                scores[cell.item] = (None, total + cell.max_points)
            else:
                scores[cell.item] = (round((got or 0.0) + cell.points, 2), total + cell.max_points)
        return scores

    def stand_in_note(self, item: str) -> str:
        """What the student reads when ``item`` was checked with correct versions of items it calls ("")."""
        replaced = self.stand_ins.get(item)
        if not replaced:
            return ""
        which = ", ".join(replaced)
        fails = "fails its own checks" if len(replaced) == 1 else "fail their own checks"
        return (
            f"{item} was checked with correct versions of {which}, which {fails}: {item}'s points are its own, "
            f"and {which} cost{'s' * (len(replaced) == 1)} only {'its' if len(replaced) == 1 else 'their'} own"
        )

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["score"], d["max_score"] = self.score, self.max_score
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SubmissionResult:
        """The result ``to_dict`` wrote (the JSON report's and the journal's form)."""
        fields = {k: v for k, v in d.items() if k not in ("score", "max_score", "cells", "status")}
        cells = [
            CellResult(
                **{
                    **c,
                    "visibility": Visibility(c["visibility"]),
                    "findings": [Finding(**f) for f in c["findings"]],
                    "checks": [
                        CheckResult(**{**k, "failures": [Finding(**f) for f in k["failures"]]})
                        for k in c.get("checks", [])
                    ],
                }
            )
            for c in d["cells"]
        ]
        return cls(**fields, status=Status(d["status"]), cells=cells)


def not_run(result: SubmissionResult, why: str) -> SubmissionResult:
    """``result`` made *ungraded* because the sandbox could not be started: the grader's failure,
    said so in words a student can read (nothing of the notebook is held against it)."""
    result.status, result.grader_failed, result.cells = Status.UNGRADED, True, []
    result.reason = (
        "not graded: the grader's sandbox could not be started, and no code of the notebook runs "
        f"outside it (a failure of the grading machine, not of the submission): {why}"
    )
    return result


def student_name(path: Path) -> str:
    """nbgrader's layout is submitted/<student>/<assignment>/<notebook>: take <student>."""
    parts = path.resolve().parts
    if len(parts) >= 3 and parts[-2] == ASSIGNMENT:
        return parts[-3]
    return path.stem if path.stem != NOTEBOOK else path.parent.name
