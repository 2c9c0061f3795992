"""nbgrader gradebooks for the tests, written through nbgrader's own API: the assignment with its
two hand-graded cells (the inline questions' explanations), and the points and comments a TA
gives in formgrader (formgrader writes the same ``manual_score``, ``needs_manual_grade`` and
``manual_comment``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from autograder.course.items import MANUAL_ITEMS, item_points
from autograder.nbgrader.course import ASSIGNMENT, NOTEBOOK

HandGiven = dict[str, dict[str, tuple[float | None, str]]]  # student -> item -> (points or None, comment)


def write_gradebook(path: Path, given: HandGiven) -> Path:
    """A gradebook with a submission for each student of ``given`` and its hand grades."""
    from nbgrader.api import Gradebook

    # A new gradebook asks alembic, run from PATH, for its schema version: the environment's own.
    saved = os.environ.get("PATH", "")
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), saved])
    try:
        with Gradebook(f"sqlite:///{path}") as gb:
            gb.update_or_create_assignment(ASSIGNMENT)
            gb.update_or_create_notebook(NOTEBOOK, ASSIGNMENT)
            for item in MANUAL_ITEMS:
                gb.update_or_create_grade_cell(
                    item, NOTEBOOK, ASSIGNMENT, max_score=item_points(item), cell_type="markdown"
                )
                gb.update_or_create_solution_cell(item, NOTEBOOK, ASSIGNMENT)
            for student, grades in given.items():
                gb.add_student(student)
                gb.add_submission(ASSIGNMENT, student)
                for item, (points, comment) in grades.items():
                    grade = gb.find_grade(item, NOTEBOOK, ASSIGNMENT, student)
                    grade.manual_score = points  # as formgrader's API saves a score (formgrader/apihandlers.py)
                    grade.needs_manual_grade = points is None and grade.auto_score is None
                    gb.find_comment(item, NOTEBOOK, ASSIGNMENT, student).manual_comment = comment
            gb.db.commit()
    finally:
        os.environ["PATH"] = saved
    return path
