"""What a test of the suite declares beside itself: the item it grades, whether visible or hidden,
and its weight within that grade cell (1 unless said: ``@hidden("softmax_loss", weight=2)``; a
parametrized test is a check per parameter, each of that weight); and the visible checks of a
module's items as pytest parameters, each of the weight its ``VisibleCheck`` declares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from autograder.course.items import ITEMS_BY_NAME
from autograder.grading.plugin import MARKER
from autograder.grading.results import Visibility
from twolayer.checks.findings import Finding
from twolayer.checks.visible import VisibleCheck, visible_checks

#: ``f(reference, inputs) -> {name: value}``: what the reference returns for an input of an item.
ExpectedValues = Any


def _grades(item: str, visibility: Visibility, weight: float) -> pytest.MarkDecorator:
    if item not in ITEMS_BY_NAME:
        raise ValueError(f"unknown item {item!r}: the items are declared in twolayer/assignment.toml")
    if not weight > 0:
        raise ValueError(f"a check's weight must be positive, not {weight!r}")
    return getattr(pytest.mark, MARKER)(item, visibility, weight=float(weight))


def visible(item: str, weight: float = 1.0) -> pytest.MarkDecorator:
    """The test is one of ``item``'s visible checks (the `<item>_check` cell's points), of ``weight``."""
    return _grades(item, Visibility.VISIBLE, weight)


def hidden(item: str, weight: float = 1.0) -> pytest.MarkDecorator:
    """The test is one of ``item``'s hidden checks (the `<item>_hidden` cell's points), of ``weight``."""
    return _grades(item, Visibility.HIDDEN, weight)


def visible_params(declared: dict[str, list[VisibleCheck]]) -> list[Any]:
    """The visible checks a module declares, for the items with a graded check cell, each a parameter
    marked with its item. Each runs as the notebook's check cell runs it: from
    ``twolayer/checks/visible.npz`` (which ``python -m autograder visible`` writes from ``declared``)."""
    return [
        pytest.param(Stored(item, i), marks=visible(item, check.weight), id=f"{item}: {check.name}")
        for item, checks in declared.items()
        if ITEMS_BY_NAME[item].visible
        for i, check in enumerate(checks)
    ]


@dataclass(frozen=True)
class Stored:
    """The ``index``-th visible check of ``item`` in ``visible.npz``, read when it runs."""

    item: str
    index: int

    def run(self, target: Any) -> list[Finding]:
        return visible_checks(self.item)[self.index].run(target)
