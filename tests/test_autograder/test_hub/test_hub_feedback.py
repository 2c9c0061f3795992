"""The student's feedback page (autograder/hub/feedback.py): the course's visibility policy, the
late policy, escaping, and where nbgrader's fetch_feedback finds it."""

from __future__ import annotations

import stat
from datetime import datetime, timedelta, timezone

import pytest

from autograder.course.gradescope_settings import Settings
from autograder.course.late import LatePolicy
from autograder.grading.results import CellResult, SubmissionResult, Visibility
from autograder.hub import feedback
from twolayer.checks.findings import Finding

NOW = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("setting", "due", "published", "shown"),
    [
        ("visible", None, False, True),
        ("hidden", NOW - timedelta(days=9), True, False),
        ("after_due_date", None, False, False),
        ("after_due_date", NOW + timedelta(hours=1), False, False),
        ("after_due_date", NOW - timedelta(seconds=1), False, True),
        ("after_due_date", NOW + timedelta(hours=1), True, True),
        ("after_published", NOW - timedelta(days=1), False, False),
        ("after_published", None, True, True),
    ],
)
def test_shown_now_follows_gradescopes_visibility_values(setting, due, published, shown):
    assert feedback.shown_now(setting, due=due, now=NOW, published=published) is shown


def result() -> SubmissionResult:
    hostile = "<script>alert('x')</script>"
    return SubmissionResult(
        "two_layer_net.ipynb",
        "ann",
        dataset="digits",
        cells=[
            CellResult("relu_forward_check", "relu_forward", Visibility.VISIBLE, 2, 2, True,
                       [Finding(True, "relu_forward on the fixed inputs")]),
            CellResult("relu_forward_hidden", "relu_forward", Visibility.HIDDEN, 3, 0, False,
                       [Finding(False, "relu_forward on random inputs (4, 5)", f"raised {hostile}", "Use np.maximum")]),
            CellResult("inline_question_1", "inline_question_1", Visibility.MANUAL, 4, None, None),
        ],
    )  # fmt: skip


def test_hidden_details_and_the_total_wait_until_shown():
    due = NOW + timedelta(days=1)
    page = feedback.page(result(), submitted_at=NOW.timestamp(), lateness=None, settings=Settings(), due=due,
                         shown={Visibility.VISIBLE: True, Visibility.HIDDEN: False})  # fmt: skip
    assert "PASS relu_forward on the fixed inputs" in page
    assert "random inputs" not in page and "np.maximum" not in page, "a hidden check's details before the due date"
    assert "Autograded score" not in page, "the total tells what the hidden checks gave"
    assert "after the due date (2026-12-02 12:00 UTC)" in page


def test_after_the_due_date_everything_with_the_late_penalty_and_student_text_escaped():
    late = LatePolicy(penalty_per_day=0.1, cap=0.5).apply(30 * 3600)
    page = feedback.page(result(), submitted_at=NOW.timestamp(), lateness=late, settings=Settings(), due=NOW,
                         shown={Visibility.VISIBLE: True, Visibility.HIDDEN: True})  # fmt: skip
    assert "Autograded score: 1.6 / 5" in page, "2 points, 20% off for two started days"
    assert "Submitted 30.0 hours after the due date (2 day(s) counted): 20% off" in page
    assert "FAIL relu_forward on random inputs (4, 5)" in page and "Use np.maximum" in page
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_release_is_where_nbgrader_fetch_feedback_looks(tmp_path):
    from nbgrader.utils import notebook_hash

    secret = "ab" * 64
    path = feedback.release(tmp_path, secret, "<html>feedback</html>")
    assert path == tmp_path / f"{notebook_hash(secret=secret, notebook_id='two_layer_net')}.html"
    assert path.read_text() == "<html>feedback</html>"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == [path.name], "no temporary file left"
