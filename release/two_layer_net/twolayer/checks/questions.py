"""The check of an inline question's choices: a set of option numbers."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .cases import guarded
from .findings import Finding
from .targets import Target

CHOICES_FORMAT = "Set the variable to a Python set of option numbers, for example {1, 3}."


def check_choices_format(t: Target, name: str, options: Iterable[int]) -> list[Finding]:
    options = set(options)

    def body() -> list[Finding]:
        value = t.get(None, name)
        ok = (
            isinstance(value, (set, frozenset))
            and value
            and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and int(v) in options for v in value)
        )
        return [
            Finding(
                bool(ok),
                f"{name} is a set of option numbers",
                "" if ok else f"{name} should be a non-empty set of numbers from {sorted(options)}, got {value!r}",
                "" if ok else CHOICES_FORMAT,
            )
        ]

    return guarded(f"{name} is a set of option numbers", body)
