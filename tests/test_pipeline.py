"""The instructor's pipeline on a temporary course with the real nbgrader: generate, autograde,
hand-grade, export, feedback, and agreement between nbgrader and `python -m autograder grade`."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

import corpus
from autograder.grading.options import Options
from autograder.grading.run import grade_submission
from autograder.nbgrader.course import Course

pytestmark = pytest.mark.slow

SUBMISSIONS = {
    "alice": {},  # the solution
    "bob": corpus.edit("softmax_loss", "shifted = x - x.max(axis=1, keepdims=True)", "shifted = x"),
    "carl": {
        "two_layer_net": corpus.ANSWERS["two_layer_net"].replace(
            'self.params["b1"] = np.zeros(hidden_dim)', 'self.params["b1"] = 0'
        ),
        "inline_question_2_choices": "inline_question_2_choices = {1, 2, 3}",
    },
    "dora": None,  # the untouched release notebook
    # affine_backward's check must not depend on affine_forward in either grader (the benchmark
    # once found nbgrader 4 points lower here, when the visible cell also ran the forward pass)
    "erin": corpus.edit("affine_forward", "x.reshape(x.shape[0], -1) @ w + b", "x @ w + b"),
}


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Course:
    course = Course(tmp_path_factory.mktemp("course") / "course", cell_timeout=300).create()
    for student, answers in SUBMISSIONS.items():
        nb = tmp_path_factory.mktemp("nb") / "two_layer_net.ipynb"
        if answers is None:
            corpus.write_submission(nb, solved=False, base=course.release_notebook)
        else:
            corpus.write_submission(nb, answers, base=course.release_notebook)
        course.submit(student, nb)
    course.autograde()
    return course


def test_release_generated_by_nbgrader_matches_the_committed_one(course):
    ours = corpus.RELEASE.read_text()
    assert course.release_notebook.read_text() == ours


def test_solution_gets_every_autograded_point_under_nbgrader(course):
    results = course.results()
    assert results["alice"].status == "graded"
    assert results["alice"].score == results["alice"].max_score == 92, course.log.read_text()[-3000:]


def test_untouched_release_gets_zero_without_crashing(course):
    r = course.results()["dora"]
    assert r.status == "graded" and r.score == 0


def test_nbgrader_and_the_autograder_award_the_same_points(course):
    nb = course.results()
    for student in SUBMISSIONS:
        ours = grade_submission(course.submission_path(student), Options(seed=99))
        assert ours.status == "graded"
        assert ours.score == nb[student].score, f"{student}: autograder {ours.score}, nbgrader {nb[student].score}"
    # the share of softmax_loss's checks that its overflow fails (docs/mistakes.md)
    assert nb["bob"].score == pytest.approx(92 - 2.19)
    # the share of two_layer_net's checks that the scalar biases fail, and inline question 2; they
    # also stop the notebook's Solver and search, which the grader trains again with its correct
    # TwoLayerNet in place of carl's: the mistake costs its points once
    assert nb["carl"].score == pytest.approx(92 - 5.33 - 3)


def test_manual_grades_appear_in_the_export(course, tmp_path):
    course.set_manual_grade("alice", "inline_question_1", 3.5, "Good, but say why Leaky ReLU never saturates.")
    course.set_manual_grade("alice", "inline_question_2", 4)
    exported = course.export(tmp_path / "grades.csv")
    rows = {row["student_id"]: row for row in csv.DictReader(open(exported))}
    assert float(rows["alice"]["score"]) == 92 + 3.5 + 4
    assert float(rows["alice"]["max_score"]) == 100


def test_feedback_has_messages_but_no_hidden_tests_or_reference(course):
    pages = course.feedback()
    assert {p.parent.parent.name for p in pages} >= {"alice", "bob", "carl", "dora"}
    source = json.loads(corpus.SOURCE.read_text())
    solution_lines = [
        line.strip()
        for cell in source["cells"]
        for region in "".join(cell["source"]).split("### BEGIN SOLUTION")[1:]
        for line in region.split("### END SOLUTION")[0].splitlines()
        if len(line.strip()) > 25
    ]
    assert len(solution_lines) > 20
    for page in pages:
        html = page.read_text()
        assert "check_hidden" not in html and "BEGIN HIDDEN TESTS" not in html
        assert "autograder.course.items" not in html and "Traceback" not in html.split("hidden checks")[0][-200:]
        if page.parent.parent.name == "dora":
            leaked = [line for line in solution_lines if line in html]
            assert not leaked, leaked[:3]
    bob = next(p for p in pages if p.parent.parent.name == "bob").read_text()
    assert "subtract each row" in bob  # the hidden check's message, written for the student


def test_demo_command_help():
    proc = subprocess.run([sys.executable, "-m", "autograder", "demo", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "--dir" in proc.stdout and "--cell-timeout" in proc.stdout


@pytest.mark.parametrize("student", ["alice"])
def test_autograded_notebook_shows_hidden_check_verdicts(course, student):
    autograded = course.root / "autograded" / student / "two_layer_net" / "two_layer_net.ipynb"
    text = Path(autograded).read_text()
    assert "all hidden checks passed" in text
