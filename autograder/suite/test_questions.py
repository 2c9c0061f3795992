"""Hidden checks of the inline questions' choices: the set of options is the reference's.
(The explanations are graded by hand.)"""

from __future__ import annotations

import pytest

from twolayer import item_checks as K
from twolayer.checks import CHOICE_OPTIONS
from twolayer.findings import Finding

from .marks import hidden

WRONG_SET = (
    "the set of options is not right: reread the question and your explanation; each option that "
    "applies must be in the set, and only those"
)


@pytest.mark.parametrize("name", [pytest.param(n, marks=hidden(n), id=n) for n in CHOICE_OPTIONS])
def test_choices(student, reference, grading, expect, name):
    found = K.check_choices_format(student, name, CHOICE_OPTIONS[name])
    if found[0].passed:
        got = {int(v) for v in student.get(None, name)}
        grading.choices[name] = sorted(got)  # for the class report
        ok = got == set(getattr(reference, name))
        found.append(Finding(ok, f"{name} is the right set of options", "" if ok else WRONG_SET))
    expect(found)
