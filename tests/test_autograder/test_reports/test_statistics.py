"""The class statistics on a synthetic class whose answers are worked out by hand
(tests/class_results.py: ann, bob, cat, dan graded, eve not; points from assignment.toml, 92
autograded). Floats are compared with the closed forms below, to the last bits."""

from __future__ import annotations

import math

import pytest

from autograder.reports.statistics import class_statistics, point_biserial, summary
from class_results import (
    AROUND_1000,
    FLOAT32,
    NO_RELU,
    OVERFLOW,
    RIGHT_SET,
    SCORES,
    graded,
    synthetic_class,
    synthetic_hand_grades,
    ungraded,
)

EXACT = {"rel": 1e-13, "abs": 0.0}


@pytest.fixture(scope="module")
def stats():
    return class_statistics(synthetic_class(), synthetic_hand_grades())


def item(stats, name):
    return next(i for i in stats.items if i.item == name)


def test_scores_and_who_was_graded(stats):
    # ann 92; bob 92 - 6 (softmax hidden); cat 92 - 6 - 12 - 10 - 3; dan 92 - 3 - 5 - 6
    assert stats.scores == {"ann": 92.0, "bob": 86.0, "cat": 61.0, "dan": 78.0}
    assert stats.max_score == 92.0 and stats.dataset == "digits"
    assert stats.ungraded == {"eve": "the file is not a valid notebook (invalid JSON)"}
    s = stats.score_summary
    assert (s.n, s.mean, s.median, s.minimum, s.maximum) == (4, 79.25, 82.0, 61.0, 92.0)
    assert stats.problems == []


def test_items_mean_full_marks_ungraded_and_not_done(stats):
    affine = item(stats, "affine_forward")
    assert (affine.mean, affine.full_marks, affine.ungraded, affine.not_done) == (6.0, 0.75, 0.2, 1)
    softmax = item(stats, "softmax_loss")
    assert (softmax.mean, softmax.full_marks, softmax.ungraded, softmax.not_done) == (5.5, 0.25, 0.2, 0)
    relu = item(stats, "relu_forward")
    assert (relu.mean, relu.full_marks) == (5.0, 1.0)


def test_discrimination_is_the_correlation_with_the_rest_of_the_score(stats):
    # softmax_loss: points x = 10, 4, 4, 4; rest y = 82, 82, 57, 74 (means 5.5 and 73.75):
    # sum dx*dy = 49.5, sum dx^2 = 27, sum dy^2 = 416.75
    assert item(stats, "softmax_loss").discrimination == pytest.approx(49.5 / math.sqrt(27 * 416.75), **EXACT)
    # affine_forward: x = 8, 8, 8, 0; y = 84, 78, 53, 78: weaker students did better on it
    assert item(stats, "affine_forward").discrimination == pytest.approx(-38 / math.sqrt(48 * 570.75), **EXACT)
    relu = item(stats, "relu_forward")
    assert relu.discrimination is None and relu.why_no_discrimination == "everyone got the same points on it"


def test_hand_graded_items_from_the_gradebook(stats):
    q1 = item(stats, "inline_question_1")
    # ann 4, bob 2, dan 3, and eve, whose notebook the grader could not read, 1; cat not graded by hand
    assert q1.points == {"ann": 4.0, "bob": 2.0, "dan": 3.0, "eve": 1.0}
    assert (q1.mean, q1.full_marks, q1.ungraded) == (2.5, 0.25, 0.2)
    # against the autograded score of the graded ones: x = 4, 2, 3; y = 92, 86, 78
    assert q1.discrimination == pytest.approx(18 / math.sqrt(1776), **EXACT)
    q2 = item(stats, "inline_question_2")  # bob's is not graded yet: ann 3 and dan 4 only
    assert q2.points == {"ann": 3.0, "dan": 4.0} and q2.discrimination is None
    assert q2.why_no_discrimination == "needs at least 3 graded submissions"
    assert stats.totals == {"ann": 99.0, "dan": 85.0}  # bob and cat lack a hand grade


def test_checks_ranked_by_failure_rate_with_their_message(stats):
    ranked = [(c.grade_id, c.check, c.failure_rate, c.failing, c.message) for c in stats.ranked_checks()]
    assert ranked == [
        ("softmax_loss_hidden", AROUND_1000, 0.5, ["bob", "cat"], "nan"),  # a tie of messages: the first seen
        ("inline_question_1_choices_hidden", RIGHT_SET, 0.25, ["cat"], "the set of options is not right"),
        ("softmax_loss_hidden", FLOAT32, 0.25, ["dan"], "loss has dtype float64"),
        ("two_layer_net_hidden", SCORES, 0.25, ["cat"], "scores is wrong"),
        # one check whatever accuracy each student got
        (
            "solver_hidden",
            "validation accuracy of model (the Solver run) at least 0.90",
            0.25,
            ["cat"],
            "validation accuracy 0.850 is below",
        ),
    ]
    # dan's affine_forward was not done: its checks did not run on an answer; "dependencies" is no check
    ok = next(c for c in stats.checks if c.grade_id == "affine_forward_check")
    assert ok.outcomes == {"ann": True, "bob": True, "cat": True}
    assert not any(c.check in ("dependencies", "affine_forward could be checked") for c in stats.checks)


def test_known_mistakes_ranked_by_how_many_students_made_them(stats):
    assert [(m.hint, m.items, m.students) for m in stats.mistakes] == [
        (OVERFLOW, ["softmax_loss"], ["bob", "cat"]),
        (NO_RELU, ["two_layer_net"], ["cat"]),
    ]  # a wrong set of options has no hint, and "not done" is no mistake


def test_validation_accuracies_against_their_thresholds(stats):
    solver, search = stats.accuracies
    assert (solver.item, solver.threshold, search.threshold) == ("solver", 0.90, 0.94)
    assert solver.values == {"ann": 0.95, "bob": 0.905, "cat": 0.85, "dan": 0.93}
    assert solver.below == ["cat"] and solver.near == ["bob"] and search.below == [] and search.near == ["bob"]


def test_chosen_options_and_the_accepted_set(stats):
    q1, q2 = stats.choices
    assert q1.counts() == [((1, 2), 3), ((2, 3), 1)] and q1.right == (1, 2)
    assert q2.counts() == [((1, 3), 4)] and q2.right == (1, 3)


def test_grading_times(stats):
    assert stats.seconds == {"ann": 20.0, "bob": 30.0, "cat": 40.0, "dan": 10.0, "eve": 1.0}


def test_a_student_without_an_accuracy_says_why():
    from twolayer.checks.findings import Finding

    why = "your `solver` cell used up its time budget of 180 s and was stopped"
    late = graded("fay", cells={"solver_hidden": (0.0, [Finding(False, "solver could be checked", why)])})
    solver = class_statistics([late]).accuracies[0]
    assert solver.values == {} and solver.missing == {"fay": why}


def test_bad_input_gives_statistics_that_say_so():
    assert "no submission" in class_statistics([]).problems[0]
    one = class_statistics([graded("ann")])
    assert "Only one submission" in one.problems[0] and item(one, "softmax_loss").discrimination is None
    none = class_statistics([ungraded("a", "x"), ungraded("b", "y")])
    assert none.problems == ["No submission could be graded (2 of 2 ungraded): the reasons are below."]
    assert none.score_summary is None and none.ranked_checks() == [] and none.mistakes == []


def test_students_with_the_same_name_are_told_apart():
    twins = [graded("ann"), graded("ann")]
    twins[1].path = "other/ann/two_layer_net.ipynb"
    assert list(class_statistics(twins).scores) == [
        "ann (submitted/ann/two_layer_net/two_layer_net.ipynb)",
        "ann (other/ann/two_layer_net.ipynb)",
    ]


def test_point_biserial_and_summary_by_hand():
    # the textbook case: x = 1, 1, 0, 0 against y = 3, 2, 1, 0 is 2 / sqrt(5)
    assert point_biserial([1, 1, 0, 0], [3, 2, 1, 0]) == pytest.approx(2 / math.sqrt(5), **EXACT)
    assert point_biserial([1, 1], [1, 2]) is None and point_biserial([1], [2]) is None
    assert summary([3, 1, 2]).median == 2 and summary([]) is None
