"""Time budgets: a training cell gets the course's budget for the dataset (assignment.toml), is
stopped there, and the report says which budget it used up; nothing else of the submission is lost."""

from __future__ import annotations

import copy
import time

import pytest

import corpus
from autograder.course.items import TRAINING_ITEMS, item_points
from autograder.grading.options import Options
from autograder.grading.run import grade_submission
from autograder.maintenance.demo import SOLVER_LOOP
from twolayer import config


@pytest.fixture
def short_budgets(monkeypatch):
    """The course's settings with a 5 s Solver budget on digits (the real ones are minutes)."""
    settings = copy.deepcopy(config.settings())
    settings["budgets"]["digits"]["solver"] = 5
    monkeypatch.setattr(config, "settings", lambda: settings)
    return settings["budgets"]["digits"]


def test_every_dataset_has_a_budget_for_every_training_cell():
    for dataset in config.DATASETS:
        budgets = config.training_budgets(dataset)
        assert set(budgets) == {"setup", *TRAINING_ITEMS}
        assert all(0 < seconds <= 1800 for seconds in budgets.values())


def test_gradescopes_timeout_covers_the_budgets_of_the_course_dataset():
    timeout = config.section("gradescope")["timeout_seconds"]
    assert timeout >= sum(config.training_budgets().values()) + 2 * 60 + 60, "budgets, checks, the 60 s margin"


def test_a_looping_solver_cell_stops_at_its_budget_and_says_so(tmp_path, short_budgets):
    path = corpus.write_submission(tmp_path / "eve" / "two_layer_net" / "two_layer_net.ipynb", {"solver": SOLVER_LOOP})
    started = time.monotonic()
    result = grade_submission(path, Options(seed=1, items=TRAINING_ITEMS))
    assert time.monotonic() - started < 5 + 120, "the search and the set-up are cheap on digits"
    assert (
        result.budgets["solver"] == 5
        and result.budgets["hyperparameter_search"] == short_budgets["hyperparameter_search"]
    )
    assert 5 <= result.cell_seconds["solver"] < 15
    solver = " ".join(f.message for c in result.cells_of("solver") for f in c.failures)
    assert "used up its time budget of 5 s" in solver
    scores = result.item_scores()
    assert scores["solver"][0] == 0
    assert scores["hyperparameter_search"][0] == item_points("hyperparameter_search")  # graded after the stop
