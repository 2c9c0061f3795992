"""The Canvas gradebook CSV, re-read as Canvas's importer reads it (canvas-lms,
lib/gradebook_importer.rb: the header, the Points Possible row, assignments by the id in their
column's name, students by ID)."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import corpus
from autograder.nbgrader.canvas_export import CanvasExportPlugin
from autograder.reports.canvas import export, from_results, read_roster
from class_results import graded, ungraded
from gradebooks import write_gradebook

# As Canvas exports it (Grades > Export > Export Entire Gradebook): the assignment already has its
# own column, worth 100; a row flags an assignment with manual posting; totals are read-only; the
# test student of Student View is in it.
ROSTER = """Student,ID,SIS User ID,SIS Login ID,Section,Homework 1 (1001),Two Layer Net (4471),Current Score,Final Score
,,,,,,Manual Posting,,
    Points Possible,,,,,10.00,100.00,(read only),(read only)
"Lovelace, Ada",11,s001,ada@uni.edu,Sec 1,9.00,,90.00,90.00
"Turing, Alan",12,s002,alan,Sec 1,10.00,,100.00,100.00
"Hopper, Grace",13,s003,grace@uni.edu,Sec 2,8.00,,80.00,80.00
"Student, Test",99,,,Sec 1,,,,
"""
COLUMN = "Two Layer Net (4471)"


def canvas_reads(path: Path) -> tuple[list[str], dict[str, str], dict[str, dict[str, str]]]:
    """The header, the Points Possible row and the students by Canvas ID, as Canvas reads them."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
        f.seek(0)
        header = next(csv.reader(f))
    assert "Points Possible" in rows[0][header[0]]
    return header, rows[0], {r["ID"]: r for r in rows[1:]}


@pytest.fixture
def roster(tmp_path) -> Path:
    path = tmp_path / "canvas_export.csv"
    path.write_text(ROSTER)
    return path


def written(tmp_path: Path, text: str) -> Path:
    out = tmp_path / "canvas_import.csv"
    out.write_text(text)
    return out


def test_scores_fill_the_assignments_own_column_whose_points_possible_is_kept(tmp_path, roster):
    result = export({"ada": 92.0, "s002": None, "mallory": 50.0}, roster, carries="the autograded points", out_of=92)
    header, points, students = canvas_reads(written(tmp_path, result.text))
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", COLUMN]  # no new assignment
    assert points[COLUMN] == "100.00"  # the roster's: an import would set the assignment's points to ours
    assert students["11"][COLUMN] == "92" and students["11"]["Student"] == "Lovelace, Ada"
    assert students["12"][COLUMN] == ""  # no score: left empty, never 0
    assert students["13"][COLUMN] == ""  # no submission
    assert "99" not in students  # Canvas's test student, and the manual-posting row, are not students
    assert result.unknown == ["mallory"] and result.ungraded == ["s002"] and result.missing == ["Hopper, Grace"]
    report = result.report()
    assert f"Canvas column '{COLUMN}' (Points Possible 100.00, kept from the roster): the autograded points" in report
    assert "worth 100 points and these scores are out of 92" in report and "not in the Canvas roster" in report


@pytest.mark.parametrize("wanted", [None, "two_layer_net", "Two Layer Net", "4471", COLUMN])
def test_the_column_is_found_by_name_id_or_title(roster, wanted):
    assert export({}, roster, carries="", out_of=92, column=wanted).column == COLUMN


def test_no_column_for_the_assignment_stops_with_the_roster_s_assignments(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER.replace("Two Layer Net (4471)", "Midterm (5000)"))
    with pytest.raises(
        ValueError, match=r"no column for 'two_layer_net' \(its assignments: Homework 1 \(1001\); Midterm"
    ):
        export({"ada": 1.0}, roster, carries="", out_of=92)
    twice = tmp_path / "twice.csv"
    twice.write_text(ROSTER.replace("Homework 1 (1001)", "Two-Layer Net (4472)"))
    with pytest.raises(ValueError, match="several columns match"):
        export({"ada": 1.0}, twice, carries="", out_of=92)


def test_a_roster_without_sis_user_ids_and_with_last_and_first_names(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "LastName,FirstName,ID,SIS Login ID,Section,Two Layer Net (4471)\n"
        "    Points Possible,,,,,100\nLovelace,Ada,11,ada@uni.edu,Sec 1,\n"
    )
    assert read_roster(roster).students == ["LastName", "FirstName", "ID", "SIS Login ID", "Section"]
    header, points, students = canvas_reads(
        written(tmp_path, export({"ada": 50.5}, roster, carries="", out_of=92).text)
    )
    assert header[-1] == COLUMN and points[COLUMN] == "100" and students["11"][COLUMN] == "50.5"


def test_a_file_that_is_not_a_canvas_export_is_refused(tmp_path):
    bad = tmp_path / "roster.csv"
    bad.write_text("name,email\nada,ada@uni.edu\n")
    with pytest.raises(ValueError, match="not a gradebook exported from Canvas"):
        export({"ada": 1.0}, bad, carries="", out_of=92)


def test_with_the_hand_graded_points_of_the_gradebook(tmp_path, roster):
    results = [graded("ada"), graded("alan"), graded("grace"), ungraded("s009", "invalid JSON")]
    db = write_gradebook(
        tmp_path / "gradebook.db",
        {
            "ada": {"inline_question_1": (3, ""), "inline_question_2": (4, "")},
            "alan": {"inline_question_1": (4, ""), "inline_question_2": (None, "")},  # not yet graded by hand
        },
    )
    only = from_results(results, roster)
    assert "the autograded points only (the 8 points graded by hand are not in it), out of 92" in only.report()
    _, _, students = canvas_reads(written(tmp_path, only.text))
    assert [students[i][COLUMN] for i in ("11", "12", "13")] == ["92", "92", "92"]

    with_hand = from_results(results, roster, gradebook=db)
    assert "the points graded by hand" in with_hand.report() and "out of 100" in with_hand.report()
    _, points, students = canvas_reads(written(tmp_path, with_hand.text))
    assert points[COLUMN] == "100.00"
    assert [students[i][COLUMN] for i in ("11", "12", "13")] == ["99", "", ""]  # alan and grace wait for a TA
    assert with_hand.ungraded == ["alan", "grace"] and with_hand.unknown == ["s009"]


def test_grade_csv_canvas_from_the_command_line(tmp_path, roster):
    sub = tmp_path / "submitted" / "ada" / "two_layer_net" / "two_layer_net.ipynb"
    sub.parent.mkdir(parents=True)
    shutil.copy(corpus.RELEASE, sub)
    out = tmp_path / "canvas.csv"
    cmd = [sys.executable, "-m", "autograder", "grade", str(tmp_path / "submitted"), "-q", "--summary"]
    proc = subprocess.run(
        [*cmd, "--csv", str(out), "--canvas", str(roster), "--item", "affine_forward"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    _, points, students = canvas_reads(out)
    assert points[COLUMN] == "100.00" and students["11"][COLUMN] == "0"
    assert "no submission, left empty: 2 student(s)" in proc.stderr and f"Canvas column '{COLUMN}'" in proc.stderr
    # A roster without the assignment's column stops before anything is graded.
    elsewhere = tmp_path / "other.csv"
    elsewhere.write_text(ROSTER.replace(COLUMN, "Midterm (5000)"))
    proc = subprocess.run(
        [*cmd, "--csv", str(out), "--canvas", str(elsewhere), "--journal", str(tmp_path / "j.jsonl")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 2 and "no column for 'two_layer_net'" in proc.stderr
    assert not (tmp_path / "j.jsonl").exists()


def test_nbgrader_export_plugin_fills_the_same_column(tmp_path, roster):
    from nbgrader.api import Gradebook

    db = write_gradebook(
        tmp_path / "gradebook.db",
        {"ada": {"inline_question_1": (3, ""), "inline_question_2": (4, "")}, "s003": {"inline_question_1": (2, "")}},
    )
    out = tmp_path / "canvas.csv"
    with Gradebook(f"sqlite:///{db}") as gb:
        CanvasExportPlugin(to=str(out), roster=str(roster)).export(gb)
    header, points, students = canvas_reads(out)
    assert header[-1] == COLUMN and points[COLUMN] == "100.00"
    assert students["11"][COLUMN] == "7"  # nbgrader's total: here only the hand-graded points
    assert students["13"][COLUMN] == ""  # inline_question_2 still waits for a hand grade
    assert students["12"][COLUMN] == ""
