"""A TA's first round on a fresh clone, with the real nbgrader: the repository's files without a
gradebook, `nbgrader autograde` run first, then `python -m autograder autograde` (`make
autograde`), a roster import, and nbgrader's own commands afterwards."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import corpus
from autograder.course.release import SOURCE, copy_assignment
from autograder.nbgrader.course import CONFIG, Course
from autograder.nbgrader.gradebook import registered, warning_for

REPO = Path(__file__).resolve().parents[1]


def test_only_commands_that_need_the_assignment_are_stopped(tmp_path):
    argv = ["nbgrader", "autograde", "two_layer_net"]
    message = warning_for(argv, tmp_path)
    assert message and "make register" in message and "make autograde" in message
    assert warning_for(["nbgrader", "generate_feedback", "two_layer_net"], tmp_path)
    for command in ("generate_assignment", "release_assignment", "collect", "export", "db", "validate"):
        assert warning_for(["nbgrader", command, "two_layer_net"], tmp_path) is None, command
    # --CourseDirectory.root on the command line names the gradebook to look at
    elsewhere = ["nbgrader", "autograde", "two_layer_net", f"--CourseDirectory.root={tmp_path / 'x'}"]
    assert str(tmp_path / "x") in warning_for(elsewhere, REPO)
    (tmp_path / "gradebook.db").write_text("not sqlite")
    assert not registered(tmp_path)


def fresh_clone(root: Path) -> Path:
    """What a TA has right after `git clone`: source/, the committed release/, the config; no gradebook."""
    copy_assignment(SOURCE, root / "source" / "two_layer_net")
    copy_assignment(REPO / "release" / "two_layer_net", root / "release" / "two_layer_net")
    shutil.copyfile(CONFIG, root / "nbgrader_config.py")
    return root


@pytest.mark.slow
def test_a_ta_round_on_a_fresh_clone(tmp_path):
    root = fresh_clone(tmp_path / "course")
    course = Course(root, cell_timeout=120)
    corpus.write_submission(tmp_path / "ann.ipynb")  # the solution
    course.submit("ann", tmp_path / "ann.ipynb")

    # nbgrader autograde alone, first: it stops at once and says what to run.
    run = course.nbgrader("autograde", "two_layer_net", check=False)
    assert run.returncode == 1
    assert "make register" in run.stdout and "make autograde" in run.stdout, run.stdout
    assert not (root / "autograded").exists()

    # A roster can be imported before anything else.
    roster = tmp_path / "roster.csv"
    roster.write_text("id,first_name,last_name,email\nann,Ann,Lee,ann@example.edu\nbob,Bob,Ng,\n")
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "roster", str(roster), "--dir", str(root)],
        capture_output=True,
        text=True,
        env=course.env,
    )
    assert done.returncode == 0, done.stdout + done.stderr

    # make autograde: registers, grades with both graders, says where the results are.
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "autograde", "--dir", str(root), "--jobs", "1", "--cell-timeout", "120"],
        capture_output=True,
        text=True,
        env=course.env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNING: release/ is out of date" not in done.stderr, done.stderr
    assert registered(root)
    assert (root / "autograded" / "ann" / "two_layer_net" / "two_layer_net.ipynb").is_file()
    table = [line.split() for line in done.stdout.splitlines()]
    assert ["ann", "92", "/", "92", "92", "/", "92"] in table, done.stdout  # both graders: full marks
    results = root / "autograder-results"
    for path in (results / "grades.csv", results / "report.txt", results / "class.html"):
        assert str(path) in done.stdout and path.is_file()
    assert "1 of 1 submissions graded, on digits" in (results / "class.html").read_text()  # the class report
    assert (results / "checks.csv").read_text().startswith("item,grade_id,check,failure_rate,ann")

    # From now on nbgrader's own commands work as docs/ta-round.md says.
    course.nbgrader("autograde", "two_layer_net", "--force")
    export = course.export(tmp_path / "grades.csv").read_text()
    assert "bob" in export and "ann" in export  # the roster's student without a submission too
    assert "Lee" in export
