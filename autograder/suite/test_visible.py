"""The visible checks of every item, exactly as the notebook's check cells run them
(``twolayer.checks.visible_checks``), on the student's code in the sandbox: the points of the
``<item>_check`` cells."""

from __future__ import annotations

import pytest

from autograder.items import ITEMS
from twolayer.checks import visible_checks

from .marks import visible

CHECKS = [
    pytest.param(check, marks=visible(item.name), id=f"{item.name}: {check.name}")
    for item in ITEMS
    if item.visible
    for check in visible_checks(item.name)
]


@pytest.mark.parametrize("check", CHECKS)
def test_visible_check(student, check, expect):
    expect(check.run(student))
