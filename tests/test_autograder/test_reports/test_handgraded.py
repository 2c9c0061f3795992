"""The hand grades, read from a real nbgrader gradebook through nbgrader's API."""

from __future__ import annotations

import pytest

from autograder.reports.handgraded import HandGrade, read_gradebook
from class_results import SYNTHETIC_HAND
from gradebooks import write_gradebook


def test_points_and_comments_given_in_formgrader(tmp_path):
    db = write_gradebook(tmp_path / "gradebook.db", SYNTHETIC_HAND)
    found = read_gradebook(db)
    assert set(found) == {"ann", "bob", "dan", "eve"}
    assert found["bob"]["inline_question_1"] == HandGrade(
        "inline_question_1", 4.0, 2.0, "Say why ann's answer is wrong"
    )
    assert not found["bob"]["inline_question_2"].graded  # waiting for the TA
    # eve's submission has both cells; the TA graded only the first
    assert found["eve"]["inline_question_1"].points == 1.0 and found["eve"]["inline_question_2"].points is None


def test_no_gradebook_there_is_an_error_not_a_new_gradebook(tmp_path):
    with pytest.raises(FileNotFoundError, match="no nbgrader gradebook"):
        read_gradebook(tmp_path / "gradebook.db")
    assert not (tmp_path / "gradebook.db").exists()
