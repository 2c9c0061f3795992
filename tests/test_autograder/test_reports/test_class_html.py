"""The class report's page: what it shows of the synthetic class, by name or anonymised, and what
it says when there is little or nothing to show."""

from __future__ import annotations

import re
from html import unescape

import pytest

from autograder.reports.anonymity import Names
from autograder.reports.class_html import to_html
from autograder.reports.statistics import class_statistics
from class_results import NO_RELU, OVERFLOW, graded, synthetic_class, synthetic_hand_grades, ungraded

STUDENTS = ("ann", "bob", "cat", "dan", "eve")


def page(results, *, anonymous=False, with_hand=True) -> str:
    stats = class_statistics(results, synthetic_hand_grades() if with_hand else {})
    names = Names(stats.students, anonymous=anonymous, seed=1, ids=[r.student for r in results])
    return to_html(stats, names, source="autograder-journal.jsonl")


@pytest.fixture(scope="module")
def named() -> str:
    return page(synthetic_class())


def text(html: str) -> str:
    """What a reader sees: the page without tags, styles or images."""
    html = re.sub(r"<style>.*?</style>|<img [^>]*>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_page_needs_nothing_but_itself(named):
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", named)
    assert named.count('<img class="plot" src="data:image/svg+xml;base64,') >= 5  # scores, items, 2 trainings, times
    assert "<script" not in named


def test_what_the_instructor_reads(named):
    seen = text(named)
    assert "4 of 5 submissions graded, on digits" in seen
    assert "mean 79.2, median 82, lowest 61, highest 92 (4 graded)" in seen
    assert "(2 submissions graded by hand on every item), of 100: mean 92.0, median 92, lowest 85, highest 99" in seen
    assert "5 submissions: mean 20.2 s, median 20.0 s, longest 40.0 s (101 s of grading in all)" in seen
    # the known mistakes, most common first, with who made them
    assert seen.index(OVERFLOW) < seen.index(NO_RELU)
    assert re.search(r"2 50% " + re.escape(OVERFLOW) + r" softmax_loss bob, cat", seen)
    # an item's row: points, mean, full marks, not done, ungraded, discrimination
    assert "affine_forward 8 6.0 75% 25% 20% -0.23" in seen
    assert "The discrimination index is the correlation" in seen
    assert "1 of 4 below the threshold 0.9; 1 within 0.01 of it (bob)" in seen
    assert "{1, 2} accepted 3 ann, bob, dan" in seen
    assert "Say why ann's answer is wrong" in seen and "not yet" in seen  # hand grades and comments
    assert "eve the file is not a valid notebook (invalid JSON)" in seen
    assert "For instructors only" in seen


def test_anonymised_for_the_course_staff():
    html = page(synthetic_class(), anonymous=True)
    seen = text(html)
    for student in STUDENTS:
        assert not re.search(rf"\b{student}\b", html), student  # not in text, paths or comments
    assert "Say why a student's answer is wrong" not in seen and "Say why student" in seen
    assert "Anonymised for the course staff" in seen
    assert len(set(re.findall(r"student 0\d", seen))) == 5


def test_without_a_gradebook_the_hand_graded_items_say_where_their_points_are():
    seen = text(page(synthetic_class(), with_hand=False))
    assert "inline_question_1 (by hand) 4 – – 100%" in seen
    assert "--gradebook gradebook.db" in seen


@pytest.mark.parametrize(
    "results, says",
    [
        ([], "The results hold no submission: nothing to report yet."),
        ([graded("ann")], "Only one submission was graded"),
        ([ungraded("ann", "kernel died"), ungraded("bob", "invalid JSON")], "No submission could be graded (2 of 2"),
    ],
    ids=["empty journal", "class of one", "all ungraded"],
)
def test_bad_input_gives_a_report_that_says_so(results, says):
    html = page(results)
    assert says in text(html)
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
