"""A gradebook CSV that Canvas imports (Grades > Import) into the assignment's own column, matched
to the gradebook exported from Canvas (Grades > Export: the "roster").

What this relies on, from Canvas's own exporter and importer (canvas-lms, ``lib/gradebook_exporter.rb``
and ``lib/gradebook_importer.rb``):

- the header is the student columns (``Student``, or ``LastName, FirstName``; ``ID``; ``SIS User ID``
  only when the export includes SIS ids; ``SIS Login ID``; ``Integration ID`` and ``Root Account``
  in some exports; ``Section``), custom columns, then one column per assignment named
  ``<title> (<Canvas assignment id>)``, then read-only totals (``Current Score``, ...);
- a row before the students may flag hidden grades (every cell empty, ``Muted`` or ``Manual
  Posting``); the next one is ``    Points Possible``, whose value for an assignment *sets* that
  assignment's points when imported: it is copied from the roster, never replaced;
- the importer finds an assignment by the id in its column's name (then by title) and creates a
  new assignment for a column it does not know: so the column filled is the roster's own one,
  never a new name (none found: an error that lists the roster's assignments);
- it finds a student by ``ID`` (Canvas's user id), then SIS User ID, then SIS Login ID; an empty
  cell is no score.

A grader's student (nbgrader's student id, or the submission's folder name) is found in the roster
by SIS Login ID, SIS User ID, Canvas ID, or the part of a login e-mail before the "@". Students with
no grade keep an empty cell, never a 0; graded students not in the roster are reported, not written.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course.items import ITEMS, MANUAL_ITEMS, item_points
from autograder.course.names import ASSIGNMENT
from autograder.grading.results import SubmissionResult

POINTS_POSSIBLE = "    Points Possible"  # Canvas writes it so, indented, in the first column
REQUIRED = ("ID", "SIS Login ID", "Section")  # besides Student (or LastName and FirstName)
_ASSIGNMENT = re.compile(r"^(?P<title>.*\S)\s*\((?P<id>\d+)\)$")
# Totals Canvas exports, read-only, possibly with an assignment group before and a grading period after.
_TOTALS = re.compile(r"(Current|Final|Unposted|Override) (Score|Points|Grade|Status)")
_HIDDEN_ROW = re.compile(r"^\s*(Muted|Manual Posting.*)?\s*$", re.IGNORECASE)


@dataclass
class Roster:
    """A gradebook exported from Canvas: its student columns, assignment columns and student rows."""

    path: Path
    header: list[str]
    students: list[str]  # the student columns, in the roster's order (Student ... Section)
    assignments: list[str]  # columns named "<title> (<id>)", totals left out
    points_possible: dict[str, str]
    rows: list[dict[str, str]]

    def name(self, row: dict[str, str]) -> str:
        if "Student" in row:
            return row["Student"]
        return f"{row.get('FirstName', '')} {row.get('LastName', '')}".strip()


def read_roster(path: Path) -> Roster:
    with open(path, newline="", encoding="utf-8-sig") as f:
        lines = list(csv.reader(f))
    header = lines[0] if lines else []
    named = "Student" in header or {"LastName", "FirstName"} <= set(header)
    missing = [c for c in REQUIRED if c not in header]
    if not named or missing:
        wanted = ", ".join((*(() if named else ("Student",)), *missing))
        raise ValueError(
            f"{path} is not a gradebook exported from Canvas (no column {wanted}): in Canvas, "
            "Grades > Export > Export Entire Gradebook"
        )
    students = header[: header.index("Section") + 1]
    assignments = [c for c in header[len(students) :] if _ASSIGNMENT.match(c) and not _TOTALS.search(c)]
    roster = Roster(Path(path), header, students, assignments, {}, [])
    for values in lines[1:]:
        row = dict(zip(header, values, strict=False))
        first = values[0] if values else ""
        if "Points Possible" in first:
            roster.points_possible = {c: row.get(c, "") for c in assignments}
        elif all(_HIDDEN_ROW.match(v) for v in values):  # hidden-grades row, or a blank line
            continue
        elif roster.name(row).strip() != "Student, Test":  # Canvas's test student (Student View)
            roster.rows.append(row)
    return roster


def _normalised(title: str) -> str:
    return re.sub(r"[^a-z0-9]", "", title.lower())


def assignment_column(roster: Roster, wanted: str | None = None) -> str:
    """The roster's column of the assignment: ``wanted`` as the column's full name, its Canvas id or
    its title (case, spaces and punctuation aside), by default the course's assignment
    (``two_layer_net`` finds "Two Layer Net (4471)")."""
    wanted = wanted or ASSIGNMENT
    found = [c for c in roster.assignments if c == wanted]
    if not found:
        found = [
            c
            for c in roster.assignments
            if wanted == _ASSIGNMENT.match(c)["id"] or _normalised(wanted) == _normalised(_ASSIGNMENT.match(c)["title"])
        ]
    listed = "; ".join(roster.assignments) or "none"
    if len(found) > 1:
        raise ValueError(f"{roster.path}: several columns match {wanted!r} ({'; '.join(found)}): name one in full")
    if not found:
        raise ValueError(
            f"{roster.path} has no column for {wanted!r} (its assignments: {listed}). Name the column to fill "
            "(--canvas-column, or CanvasExportPlugin.column), or create the assignment in Canvas and export the "
            "gradebook again: an import never adds an assignment from here."
        )
    return found[0]


@dataclass
class CanvasExport:
    text: str
    column: str
    points_possible: str  # the roster's, kept
    carries: str  # which points the column's scores are
    out_of: float  # the most the scores can be
    unknown: list[str] = field(default_factory=list)  # graded, but not in the roster
    ungraded: list[str] = field(default_factory=list)  # in the roster, submitted, no score
    missing: list[str] = field(default_factory=list)  # in the roster, no submission

    def report(self) -> str:
        """What an instructor must know before importing."""
        lines = [
            f"Canvas column {self.column!r} (Points Possible {self.points_possible or 'not in the roster'}, "
            f"kept from the roster): {self.carries}, out of {self.out_of:g}."
        ]
        try:
            worth = float(self.points_possible)
        except ValueError:
            worth = None
        if worth is not None and worth != self.out_of:
            lines.append(
                f"note: the column is worth {worth:g} points and these scores are out of {self.out_of:g}; "
                "they are written as they are, not scaled"
            )
        if self.unknown:
            lines.append(f"not in the Canvas roster, left out: {', '.join(self.unknown)}")
        if self.ungraded:
            lines.append(f"no score, left empty: {', '.join(self.ungraded)}")
        if self.missing:
            lines.append(f"no submission, left empty: {len(self.missing)} student(s)")
        return "\n".join(lines)


def _keys(row: dict[str, str]) -> set[str]:
    login = row["SIS Login ID"].strip().lower()
    keys = {login, row.get("SIS User ID", "").strip().lower(), row["ID"].strip().lower(), login.split("@")[0]}
    return keys - {""}


def export(
    scores: dict[str, float | None], roster_path: Path, *, carries: str, out_of: float, column: str | None = None
) -> CanvasExport:
    """The import file: ``scores`` (student -> points; None: no score) in the roster's column of the
    assignment (``column``: `assignment_column`'s ``wanted``); ``carries`` says which points they are."""
    roster = read_roster(roster_path)
    chosen = assignment_column(roster, column)
    owner: dict[str, int] = {}
    for i, row in enumerate(roster.rows):
        for key in _keys(row):
            owner.setdefault(key, i)
    result = CanvasExport("", chosen, roster.points_possible.get(chosen, ""), carries, out_of)
    grades: dict[int, str] = {}
    for student, score in sorted(scores.items()):
        i = owner.get(student.strip().lower())
        if i is None:
            result.unknown.append(student)
        elif score is None:
            result.ungraded.append(student)
        else:
            grades[i] = f"{round(score, 2):g}"  # Canvas's own exports have two decimals at most
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*roster.students, chosen])
    writer.writerow([POINTS_POSSIBLE, *([""] * (len(roster.students) - 1)), result.points_possible])
    submitted = {s.strip().lower() for s in scores}
    for i, row in enumerate(roster.rows):
        writer.writerow([*(row.get(c, "") for c in roster.students), grades.get(i, "")])
        if i not in grades and not (_keys(row) & submitted):
            result.missing.append(roster.name(row))
    result.text = out.getvalue()
    return result


def from_results(
    results: Sequence[SubmissionResult], roster: Path, *, column: str | None = None, gradebook: Path | None = None
) -> CanvasExport:
    """The course grader's results for Canvas: the autograded points, or (``gradebook``) with the
    points graded by hand in formgrader; a student not yet graded by hand on every item is left empty."""
    autograded = sum(item_points(i.name) for i in ITEMS if not i.by_hand)
    out_of = next((r.max_score for r in results if r.graded), autograded)
    scores: dict[str, float | None] = {r.student: r.score if r.graded else None for r in results}
    if gradebook is None:
        hand_points = sum(item_points(i) for i in MANUAL_ITEMS)
        carries = f"the autograded points only (the {hand_points:g} points graded by hand are not in it)"
        return export(scores, roster, carries=carries, out_of=out_of, column=column)
    from ..reports.handgraded import read_gradebook

    hand = read_gradebook(gradebook)
    for student, score in scores.items():
        given = [hand.get(student, {}).get(item) for item in MANUAL_ITEMS]
        done = all(g is not None and g.graded for g in given)
        scores[student] = score + sum(g.points for g in given) if score is not None and done else None
    out_of += sum(item_points(i) for i in MANUAL_ITEMS)
    carries = (
        f"the autograded points and the points graded by hand in {gradebook} (a student not yet graded by "
        "hand on every item is left empty)"
    )
    return export(scores, roster, carries=carries, out_of=out_of, column=column)
