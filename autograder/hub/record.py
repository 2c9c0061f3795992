"""Recording a graded submission in the course folder, through nbgrader's own API and layout.

- ``submitted/<student>/two_layer_net/``: the newest graded submission's files, as ``nbgrader
  collect`` lays them out (so that a TA's ``nbgrader autograde`` or the similarity report finds it);
- the gradebook (``nbgrader.api.Gradebook``): the submission, each autograded grade cell's points
  from the course grader, the late penalty in points, and the inline questions marked for
  hand-grading;
- ``autograded/<student>/two_layer_net/two_layer_net.ipynb``: what formgrader shows the TA, the
  released notebook with the student's answers and, under each test cell, the course grader's
  verdicts for that cell.
Only a student's newest graded submission is recorded: a resubmission replaces the score.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from autograder.course.late import Lateness
from autograder.grading.results import SubmissionResult

from .layout import ASSIGNMENT, NOTEBOOK, HubLayout
from .people import Person

NOTEBOOK_ID = NOTEBOOK.removesuffix(".ipynb")
#: The files of a submission that are put in submitted/ (the grader reads these two).
KEPT = (NOTEBOOK, "best_model.npz")


def utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, timezone.utc)


def due_date(layout: HubLayout, student: str) -> datetime | None:
    """The assignment's due date in the gradebook, with the student's extension if they have one."""
    with Gradebook(layout.gradebook_url) as gb:
        try:
            due = gb.find_submission(ASSIGNMENT, student).duedate
        except MissingEntry:
            due = gb.find_assignment(ASSIGNMENT).duedate
    return due.replace(tzinfo=timezone.utc) if due else None


def write_submitted(layout: HubLayout, student: str, data: dict[str, bytes], submitted_at: float) -> Path:
    folder = layout.submitted(student)
    folder.mkdir(parents=True, exist_ok=True)
    for name in KEPT:
        if name in data:
            (folder / name).write_bytes(data[name])
        else:
            (folder / name).unlink(missing_ok=True)  # an earlier submission's model is not this one's
    (folder / "timestamp.txt").write_text(utc(submitted_at).strftime("%Y-%m-%d %H:%M:%S.%f %Z"))
    return folder


def write_gradebook(
    layout: HubLayout, person: Person, result: SubmissionResult, submitted_at: float, lateness: Lateness | None
) -> None:
    with Gradebook(layout.gradebook_url) as gb:
        gb.update_or_create_student(
            person.name, first_name=person.first_name, last_name=person.last_name, email=person.email
        )
        gb.update_or_create_submission(ASSIGNMENT, person.name, timestamp=utc(submitted_at))
        notebook = gb.find_submission_notebook(NOTEBOOK_ID, ASSIGNMENT, person.name)
        points = {c.grade_id: c.points for c in result.cells}
        for grade in notebook.grades:
            got = points.get(grade.name)
            if result.graded and got is not None:
                grade.auto_score, grade.needs_manual_grade = float(got), False
            else:  # graded by hand, or not gradable: a TA looks at it (a new answer needs a new look)
                grade.auto_score, grade.needs_manual_grade = None, True
        penalty = result.score - lateness.score(result.score) if lateness and result.graded else 0.0
        notebook.late_submission_penalty = round(penalty, 4) or None
        gb.db.commit()


def _grader_output(result: SubmissionResult) -> dict[str, str]:
    """grade_id -> the course grader's verdicts on that grade cell, as plain text."""
    out = {}
    for cell in result.cells:
        lines = (
            [f"[course grader] {cell.points or 0:g} / {cell.max_points:g} points"] if cell.points is not None else []
        )
        for f in cell.findings:
            lines.append(f"{'PASS' if f.passed else 'FAIL'} {f.check}")
            if not f.passed and f.message:
                lines.append(f"    {f.message}")
        out[cell.grade_id] = "\n".join(lines) + "\n"
    return out


def student_answers(raw: bytes) -> dict[str, str]:
    """grade_id -> source of the student's answer cells (nothing, if the notebook is not JSON)."""
    try:
        cells = json.loads(raw)["cells"]
        answers = {}
        for cell in cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("solution") and isinstance(meta.get("grade_id"), str):
                src = cell.get("source", "")
                answers[meta["grade_id"]] = "".join(src) if isinstance(src, list) else str(src)
        return answers
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}


def write_ta_copy(layout: HubLayout, student: str, raw: bytes, result: SubmissionResult) -> Path:
    """autograded/<student>/two_layer_net/two_layer_net.ipynb, for formgrader."""
    nb = nbformat.read(layout.course / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)
    answers, verdicts = student_answers(raw), _grader_output(result)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
        if cell.cell_type == "code" and grade_id in verdicts:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=verdicts[grade_id])]
    if not answers:
        note = f"The submitted notebook could not be read: {result.reason or 'not a notebook'}"
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(f"**{note}**"))
    dest = layout.autograded(student) / NOTEBOOK
    dest.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dest)
    return dest


def record(
    layout: HubLayout,
    person: Person,
    data: dict[str, bytes],
    result: SubmissionResult,
    submitted_at: float,
    lateness: Lateness | None,
) -> None:
    """All three, for the student's newest graded submission."""
    write_submitted(layout, person.name, data, submitted_at)
    write_ta_copy(layout, person.name, data.get(NOTEBOOK, b""), result)
    write_gradebook(layout, person, result, submitted_at, lateness)
