"""Partial credit per check (issue 22): each check of a grade cell carries a weight (equal unless its
test says otherwise), and the cell earns its passed checks' share of its points; an item that
``assignment.toml`` keeps all or nothing earns its cells' points only when every check passes.
The same points in Gradescope's results.json, cell by cell with each check's line, and in
``python -m autograder check``, which nbgrader's hidden cells run."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest

import corpus
from autograder.course.gradescope_settings import Settings
from autograder.course.items import ITEMS
from autograder.grading import scoring
from autograder.grading.options import Options
from autograder.grading.results import CheckResult, SubmissionResult
from autograder.grading.run import grade_submission
from autograder.reports import gradescope

# np.exp on the raw scores: only the checks on scores around 1000 fail (the visible check of the
# scores plus 1000, one of three; the hidden one of scores around 1000, one of seven).
OVERFLOW = corpus.edit("softmax_loss", "shifted = x - x.max(axis=1, keepdims=True)", "shifted = x")


@pytest.fixture(scope="module")
def overflow(tmp_path_factory):
    return corpus.write_submission(tmp_path_factory.mktemp("overflow") / "two_layer_net.ipynb", OVERFLOW)


@pytest.fixture(scope="module")
def overflow_result(overflow) -> SubmissionResult:
    return grade_submission(overflow, Options(seed=5, items=("softmax_loss",)))


def test_a_cell_earns_the_share_of_its_passed_checks(overflow_result):
    cells = {c.grade_id: c for c in overflow_result.cells}
    visible, hidden = cells["softmax_loss_check"], cells["softmax_loss_hidden"]
    assert [c.passed for c in visible.checks] == [True, True, False]
    assert visible.points == 2.67 and not visible.passed  # 4 points x 2/3
    assert len(hidden.checks) == 7 and sum(not c.passed for c in hidden.checks) == 1
    assert hidden.points == 5.14 and not hidden.passed  # 6 points x 6/7
    assert overflow_result.score == 7.81
    failed = next(c for c in hidden.checks if not c.passed)
    assert failed.worth == 0.86 and "around 1000" in failed.check and failed.failures


def test_an_item_kept_all_or_nothing_earns_nothing_for_one_failed_check(overflow, monkeypatch):
    kept = tuple(dataclasses.replace(i, all_or_nothing=True) if i.name == "softmax_loss" else i for i in ITEMS)
    monkeypatch.setattr(scoring, "ITEMS", kept)
    result = grade_submission(overflow, Options(seed=5, items=("softmax_loss",)))
    assert [c.points for c in result.cells] == [0.0, 0.0]
    assert sum(c.passed for cell in result.cells for c in cell.checks) == 8  # 2 + 6 checks passed all the same


@pytest.mark.parametrize(
    "weights, passed, all_or_nothing, points",
    [
        ((1, 1, 1), (True, True, False), False, 4.0),  # 6 points x 2/3
        ((2, 1, 1), (False, True, True), False, 3.0),  # a check of weight 2 costs half
        ((2, 1, 1), (True, False, True), False, 4.5),
        ((1, 1, 1), (True, True, False), True, 0.0),
        ((1, 1, 1), (True, True, True), True, 6.0),
        ((1,), (False,), False, 0.0),
        ((), (), False, 0.0),  # no check ran: nothing to earn
    ],
)
def test_points_are_the_weighted_share_of_the_passed_checks(weights, passed, all_or_nothing, points):
    checks = [CheckResult(f"check {i}", w, 0.0, p) for i, (w, p) in enumerate(zip(weights, passed, strict=True))]
    assert scoring.cell_points(6, checks, all_or_nothing) == points


def test_gradescope_shows_each_cells_points_with_each_checks_line(overflow_result):
    doc = gradescope.document(overflow_result, Settings.from_settings())
    tests = {t["number"]: t for t in doc["tests"]}
    hidden = tests["softmax_loss_hidden"]
    assert (hidden["score"], hidden["max_score"], hidden["status"]) == (5.14, 6, "failed")
    lines = [line for line in hidden["output"].splitlines() if line.startswith("- ")]
    assert len(lines) == 7  # one per check, each with its share of the cell's points
    assert sum("PASS" in line and "(0.86 points)" in line for line in lines) == 6
    assert sum("**FAIL**" in line and "(0 of 0.86 points)" in line for line in lines) == 1
    assert "overflow" in hidden["output"]  # what failed, with the hint
    assert doc["score"] == 7.81 and tests["softmax_loss_check"]["score"] == 2.67


def test_the_check_command_reports_each_items_points(overflow, tmp_path):
    """What nbgrader's hidden cells run: the points of the item's hidden cell and of its visible
    cell, as the course grader computes them."""
    ran = subprocess.run(
        [sys.executable, "-I", "-m", "autograder", "check", str(overflow), "--item", "softmax_loss", "--seed", "5"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert ran.returncode == 1 and "softmax_loss: hidden checks failed (5.14 of 6 points)" in ran.stdout
    ran = subprocess.run(
        [sys.executable, "-I", "-m", "autograder", "check", str(overflow), "--item", "softmax_loss", "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    answer = json.loads(ran.stdout)["items"]["softmax_loss"]
    assert (answer["points"], answer["visible_points"], answer["visible"]) == (5.14, 2.67, False)
