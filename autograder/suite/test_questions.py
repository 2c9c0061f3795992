"""The checks of the inline questions' choices: a set of option numbers (visible: the format only),
and the reference's set (hidden). The explanations are graded by hand. The check function is
``twolayer.checks.questions``; points are in assignment.toml."""

from __future__ import annotations

import pytest

from autograder.course.items import CHOICE_OPTIONS
from twolayer.checks import questions as K
from twolayer.checks.findings import Finding
from twolayer.checks.visible import VisibleCheck

from .marks import hidden

WRONG_SET = (
    "the set of options is not right: reread the question and your explanation; each option that "
    "applies must be in the set, and only those"
)
#: No value of the reference is needed by the visible checks: they check the format.
EXPECTED: dict = {}


def visible() -> dict[str, list[VisibleCheck]]:
    """The format check of each question's choices (its check cell gives no points)."""
    return {
        name: [
            VisibleCheck(
                f"{name} is a set of option numbers",
                "questions.check_choices_format",
                {"name": name, "options": list(options)},
            )
        ]
        for name, options in CHOICE_OPTIONS.items()
    }


@pytest.mark.parametrize("name", [pytest.param(n, marks=hidden(n), id=n) for n in CHOICE_OPTIONS])
def test_choices(student, reference, grading, expect, name):
    found = K.check_choices_format(student, name, CHOICE_OPTIONS[name])
    if found[0].passed:
        got = {int(v) for v in student.get(None, name)}
        grading.choices[name] = sorted(got)  # for the class report
        ok = got == set(getattr(reference, name))
        found.append(Finding(ok, f"{name} is the right set of options", "" if ok else WRONG_SET))
    expect(found)
