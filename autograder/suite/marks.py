"""What a test of the suite declares beside itself: the item it grades, visible or hidden, and
the reference's values for the item's visible inputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from autograder.items import ITEMS_BY_NAME
from autograder.plugin import MARKER
from autograder.results import Visibility

ExpectedValues = Callable[[Any, dict[str, Any]], dict[str, Any]]
EXPECTED: dict[str, ExpectedValues] = {}


def _grades(item: str, visibility: Visibility) -> pytest.MarkDecorator:
    if item not in ITEMS_BY_NAME:
        raise ValueError(f"unknown item {item!r}: the items are declared in autograder/items.py")
    return getattr(pytest.mark, MARKER)(item, visibility)


def visible(item: str) -> pytest.MarkDecorator:
    """The test is one of ``item``'s visible checks (the `<item>_check` cell's points)."""
    return _grades(item, Visibility.VISIBLE)


def hidden(item: str) -> pytest.MarkDecorator:
    """The test is one of ``item``'s hidden checks (the `<item>_hidden` cell's points)."""
    return _grades(item, Visibility.HIDDEN)


def expected_values(item: str) -> Callable[[ExpectedValues], ExpectedValues]:
    """Registers ``f(reference, inputs) -> {name: value}``: what the reference returns for an input
    of ``item`` (the hidden checks' expected values, and ``twolayer/visible_expected.npz``)."""

    def register(f: ExpectedValues) -> ExpectedValues:
        EXPECTED[item] = f
        return f

    return register
