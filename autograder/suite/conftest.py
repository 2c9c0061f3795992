"""Fixtures of the grader's checks: the student's code, the reference, a seeded generator, the
dataset. Run directly, the suite grades the notebook given by ``--submission``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from autograder.course.dataset import grading_data
from autograder.course.names import ASSIGNMENT
from autograder.course.reference import reference as load_reference
from autograder.grading.plugin import FINDINGS, MARKER, ChecksFailed, Grading, grades, registered
from twolayer.checks.findings import Finding
from twolayer.config import DATASETS
from twolayer.config import thresholds as course_thresholds


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup(ASSIGNMENT, f"grading a {ASSIGNMENT} notebook")
    group.addoption("--submission", metavar="NOTEBOOK", help="the student's notebook to grade")
    group.addoption("--dataset", choices=DATASETS, help="default: the course setting (twolayer/assignment.toml)")
    group.addoption("--seed", type=int, help="seed of the hidden random inputs (default: fresh, shown at the end)")
    group.addoption("--item", action="append", default=[], help="grade only this item (repeatable)")
    group.addoption("--item-timeout", type=float, default=60.0, help="seconds for one item's checks")
    group.addoption(
        "--cell-timeout", type=float, help="seconds for each training cell (default: the course's time budgets)"
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}(item, visibility): the item and grade cell a check counts for")
    if registered(config) is not None:  # by grade_submission
        return
    path = config.getoption("submission")
    if not path:
        raise pytest.UsageError("the grader's checks grade a notebook: pass --submission PATH")
    from autograder.grading.options import Options

    options = Options(
        dataset=config.getoption("dataset"),
        seed=config.getoption("seed"),
        items=tuple(config.getoption("item")) or None,
        item_timeout=config.getoption("item_timeout"),
        cell_timeout=config.getoption("cell_timeout"),
    )
    grading = Grading(Path(path), options)
    if grading.sub.error:
        raise pytest.UsageError(f"{path}: {grading.sub.error}")
    config.pluginmanager.register(grading, f"{ASSIGNMENT}_grading")


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    from autograder.reports.text import text

    grading = registered(config)
    terminalreporter.write_sep("=", f"{ASSIGNMENT} grade")
    terminalreporter.write(text([grading.result()]))


@pytest.fixture(scope="session")
def grading(pytestconfig: pytest.Config) -> Grading:
    return registered(pytestconfig)


@pytest.fixture
def item(request: pytest.FixtureRequest) -> str:
    """The item the test grades."""
    return grades(request.node)[0]


@pytest.fixture
def student(grading: Grading, item: str) -> Any:
    """The student's code, running in a sandboxed worker (a ``twolayer.checks.targets.Target``)."""
    return grading.target(item)


@pytest.fixture
def model(grading: Grading, item: str) -> dict[str, np.ndarray]:
    """The parameters of the model the item's training cell produced."""
    return grading.model_params(item)


@pytest.fixture(scope="session")
def reference() -> Any:
    """The reference solution (the source notebook's solution cells, in the grader's process)."""
    return load_reference()


@pytest.fixture
def rng(grading: Grading, request: pytest.FixtureRequest) -> np.random.Generator:
    """A generator seeded from the grading's seed and the test's name."""
    return grading.rng(f"{request.node.module.__name__}::{request.node.name}")


@pytest.fixture(scope="session")
def data(grading: Grading) -> dict[str, Any]:
    """The validation and test splits of the course's dataset, read-only."""
    return grading_data(grading.dataset)


@pytest.fixture(scope="session")
def thresholds(grading: Grading) -> dict[str, float]:
    return course_thresholds(grading.dataset)


@pytest.fixture
def expect(request: pytest.FixtureRequest, item: str) -> Any:
    """``expect(findings)``: record what the checks found, and fail the test if one failed."""

    def check(findings: list[Finding]) -> None:
        request.node.stash[FINDINGS] = [*request.node.stash.get(FINDINGS, []), *findings]
        if not all(f.passed for f in findings):
            raise ChecksFailed(findings)

    return check
