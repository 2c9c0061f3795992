"""The hand-graded parts from nbgrader's gradebook: the points and comments a TA gave in formgrader
for the items graded by hand (the inline questions' explanations), read through nbgrader's own API."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from autograder.course.items import MANUAL_ITEMS
from autograder.course.names import ASSIGNMENT, NOTEBOOK


@dataclass(frozen=True)
class HandGrade:
    """One hand-graded answer of one student."""

    item: str
    max_points: float
    points: float | None  # None: not graded by hand yet
    comment: str = ""

    @property
    def graded(self) -> bool:
        return self.points is not None


HandGrades = dict[str, dict[str, HandGrade]]  # student -> item -> hand grade


def read_gradebook(path: Path, assignment: str = ASSIGNMENT, notebook: str = NOTEBOOK) -> HandGrades:
    """Every student with a submission of ``assignment`` in the gradebook ``path`` (gradebook.db):
    their hand grades of the items graded by hand."""
    path = Path(path)
    if not path.is_file():  # nbgrader would create an empty gradebook there
        raise FileNotFoundError(f"{path}: no nbgrader gradebook there (the course folder's gradebook.db)")
    from nbgrader.api import Gradebook, MissingEntry

    found: HandGrades = {}
    with Gradebook(f"sqlite:///{path.resolve()}") as gb:
        try:
            submissions = gb.find_assignment(assignment).submissions
        except MissingEntry:
            raise ValueError(f"{path}: the gradebook has no assignment {assignment!r}") from None
        for submission in submissions:
            student = submission.student.id
            for item in MANUAL_ITEMS:
                try:
                    grade = gb.find_grade(item, notebook, assignment, student)
                except MissingEntry:  # the notebook was not autograded: nothing to grade by hand yet
                    continue
                try:
                    comment = gb.find_comment(item, notebook, assignment, student).manual_comment or ""
                except MissingEntry:
                    comment = ""
                points = grade.manual_score if grade.manual_score is not None else grade.auto_score
                found.setdefault(student, {})[item] = HandGrade(item, float(grade.max_score), points, comment)
    return found
