"""A gradebook CSV that Canvas imports (Grades > Import), matched to a roster exported from Canvas.

Canvas's format: the columns ``Student, ID, SIS User ID, SIS Login ID, Section``, then one column
per assignment named ``<name> (<Canvas assignment id>)``; the second row is ``Points Possible``.
Canvas matches rows to students by ``ID`` (and the SIS columns), so every row comes from the
roster (Grades > Export in Canvas), and a grader's student (nbgrader's student id, or the
submission's folder name) is found in it by SIS Login ID, SIS User ID, Canvas ID, or the part of
a login e-mail before the "@". Students with no grade keep an empty cell (Canvas leaves it
unchanged, never a 0); graded students not in the roster are reported, not written.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course.names import ASSIGNMENT

STUDENT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
POINTS_POSSIBLE = "    Points Possible"  # Canvas writes it so, indented, in the Student column
DEFAULT_ASSIGNMENT = ASSIGNMENT


@dataclass
class CanvasExport:
    text: str
    column: str
    unknown: list[str] = field(default_factory=list)  # graded, but not in the roster
    ungraded: list[str] = field(default_factory=list)  # in the roster, submitted, not graded
    missing: list[str] = field(default_factory=list)  # in the roster, no submission

    def report(self) -> str:
        """What an instructor must look at before importing (empty when nothing)."""
        lines = []
        if self.unknown:
            lines.append(f"not in the Canvas roster, left out: {', '.join(self.unknown)}")
        if self.ungraded:
            lines.append(f"could not be graded, left empty: {', '.join(self.ungraded)}")
        if self.missing:
            lines.append(f"no submission, left empty: {len(self.missing)} student(s)")
        return "\n".join(lines)


def read_roster(path: Path) -> tuple[list[dict[str, str]], list[str]]:
    """The student rows and the header of a Canvas gradebook export."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        header = list(reader.fieldnames or [])
        missing = [c for c in STUDENT_COLUMNS if c not in header]
        if missing:
            raise ValueError(f"{path} is not a Canvas gradebook export (no column {', '.join(missing)})")
        rows = [r for r in reader if r["Student"].strip() not in ("Points Possible", "Student, Test")]
    return rows, header


def _keys(row: dict[str, str]) -> set[str]:
    login = row["SIS Login ID"].strip().lower()
    keys = {login, row["SIS User ID"].strip().lower(), row["ID"].strip().lower(), login.split("@")[0]}
    return keys - {""}


def assignment_column(header: list[str], name: str | None) -> str:
    """The roster's column of the assignment (``name`` as given, or starting with it), else ``name``."""
    wanted = name or DEFAULT_ASSIGNMENT
    for column in header[len(STUDENT_COLUMNS) :]:
        if column == wanted or column.lower().startswith(wanted.lower()):
            return column
    return wanted  # Canvas creates a new assignment from a column it does not know


def export(
    scores: dict[str, float | None], roster: Path, points_possible: float, assignment: str | None = None
) -> CanvasExport:
    """``scores``: student -> points (None: could not be graded)."""
    rows, header = read_roster(roster)
    column = assignment_column(header, assignment)
    owner: dict[str, int] = {}
    for i, row in enumerate(rows):
        for key in _keys(row):
            owner.setdefault(key, i)
    result = CanvasExport("", column)
    grades: dict[int, str] = {}
    for student, score in sorted(scores.items()):
        i = owner.get(student.strip().lower())
        if i is None:
            result.unknown.append(student)
        elif score is None:
            result.ungraded.append(student)
        else:
            grades[i] = f"{score:g}"
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*STUDENT_COLUMNS, column])
    writer.writerow([POINTS_POSSIBLE, "", "", "", "", f"{points_possible:g}"])
    for i, row in enumerate(rows):
        writer.writerow([*(row[c] for c in STUDENT_COLUMNS), grades.get(i, "")])
        if i not in grades and not (_keys(row) & {s.strip().lower() for s in scores}):
            result.missing.append(row["Student"])
    result.text = out.getvalue()
    return result
