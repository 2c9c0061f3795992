"""The Canvas gradebook CSV, re-read as Canvas's importer reads it."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import corpus
from autograder.nbgrader.canvas_export import CanvasExportPlugin
from autograder.reports.canvas import STUDENT_COLUMNS, export

ROSTER = """Student,ID,SIS User ID,SIS Login ID,Section,Homework 1 (1001),two_layer_net (4242)
    Points Possible,,,,,10,100
"Lovelace, Ada",11,s001,ada@uni.edu,Sec 1,9,
"Turing, Alan",12,s002,alan,Sec 1,10,
"Hopper, Grace",13,s003,grace@uni.edu,Sec 2,8,
"""


def canvas_reads(path: Path) -> tuple[list[str], dict[str, str], dict[str, dict[str, str]]]:
    """The header, the Points Possible row and the students by Canvas ID, as Canvas reads them."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
        f.seek(0)
        header = next(csv.reader(f))
    assert rows[0]["Student"].strip() == "Points Possible"
    return header, rows[0], {r["ID"]: r for r in rows[1:]}


@pytest.fixture
def roster(tmp_path) -> Path:
    path = tmp_path / "canvas_export.csv"
    path.write_text(ROSTER)
    return path


def test_scores_go_to_the_assignment_column_matched_by_login_and_unknown_students_are_reported(tmp_path, roster):
    result = export({"ada": 92.0, "s002": None, "mallory": 50.0}, roster, 92)
    out = tmp_path / "canvas_import.csv"
    out.write_text(result.text)
    header, points, students = canvas_reads(out)
    assert header == [*STUDENT_COLUMNS, "two_layer_net (4242)"]
    assert points["two_layer_net (4242)"] == "92"
    assert students["11"]["two_layer_net (4242)"] == "92" and students["11"]["Student"] == "Lovelace, Ada"
    assert students["12"]["two_layer_net (4242)"] == ""  # ungraded: left empty, never 0
    assert students["13"]["two_layer_net (4242)"] == ""  # no submission
    assert result.unknown == ["mallory"] and result.ungraded == ["s002"] and result.missing == ["Hopper, Grace"]
    assert "mallory" in result.report() and "not in the Canvas roster" in result.report()


def test_a_file_that_is_not_a_canvas_export_is_refused(tmp_path):
    bad = tmp_path / "roster.csv"
    bad.write_text("name,email\nada,ada@uni.edu\n")
    with pytest.raises(ValueError, match="not a Canvas gradebook export"):
        export({"ada": 1.0}, bad, 92)


def test_grade_csv_canvas_from_the_command_line(tmp_path, roster):
    sub = tmp_path / "submitted" / "ada" / "two_layer_net" / "two_layer_net.ipynb"
    sub.parent.mkdir(parents=True)
    shutil.copy(corpus.RELEASE, sub)
    out = tmp_path / "canvas.csv"
    cmd = [sys.executable, "-m", "autograder", "grade", str(tmp_path / "submitted"), "-q", "--summary"]
    proc = subprocess.run(
        [*cmd, "--csv", str(out), "--canvas", str(roster)], capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr
    _, points, students = canvas_reads(out)
    assert points["two_layer_net (4242)"] == "92" and students["11"]["two_layer_net (4242)"] == "0"
    assert "no submission, left empty: 2 student(s)" in proc.stderr


def test_nbgrader_export_plugin_writes_the_same_format(tmp_path, roster, monkeypatch):
    from nbgrader.api import Gradebook

    # nbgrader's gradebook runs alembic from PATH, as the `nbgrader` command of the venv has it.
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    db = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(db) as gb:
        gb.update_or_create_assignment("two_layer_net")
        for student in ("ada", "s003"):
            gb.add_student(student)
            gb.add_submission("two_layer_net", student)
        out = tmp_path / "canvas.csv"
        CanvasExportPlugin(to=str(out), roster=str(roster)).export(gb)
    _, points, students = canvas_reads(out)
    assert students["11"]["two_layer_net (4242)"] == "0" and students["13"]["two_layer_net (4242)"] == "0"
    assert students["12"]["two_layer_net (4242)"] == ""
