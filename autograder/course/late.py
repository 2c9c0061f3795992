"""The course's late policy (``[late]`` of ``twolayer/assignment.toml``), for every grader.

A fraction of the autograded score is taken off per *started* day after the due date, once the
grace period is over, never more than the cap. Gradescope's runner applies it from the
submission's metadata (``autograder.gradescope.metadata``); nbgrader applies it through
:class:`autograder.nbgrader.late_penalty.LatePenalty`. Both state the same sentence (:meth:`Lateness.text`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from twolayer.config import section

DAY = 86400.0


@dataclass(frozen=True)
class LatePolicy:
    penalty_per_day: float = 0.0  # fraction of the score, per started day late
    cap: float = 1.0  # the largest fraction ever taken off
    grace_minutes: float = 0.0  # lateness forgiven

    def __post_init__(self) -> None:
        for name in ("penalty_per_day", "cap"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"[late] {name} in assignment.toml must be a fraction between 0 and 1")
        if self.grace_minutes < 0:
            raise ValueError("[late] grace_minutes in assignment.toml must not be negative")

    @classmethod
    def from_settings(cls) -> LatePolicy:
        """The policy of ``assignment.toml`` (no ``[late]`` table: no penalty)."""
        late = section("late")
        unknown = set(late) - {"penalty_per_day", "cap", "grace_minutes"}
        if unknown:
            raise ValueError(f"unknown setting(s) in [late] of assignment.toml: {', '.join(sorted(unknown))}")
        return cls(**{k: float(v) for k, v in late.items()})

    def apply(self, seconds_late: float) -> Lateness:
        """How late a submission ``seconds_late`` after the due date is, and what it costs."""
        seconds_late = max(0.0, seconds_late)
        counted = seconds_late - self.grace_minutes * 60
        days = math.ceil(counted / DAY) if counted > 0 else 0
        return Lateness(seconds_late, days, min(self.cap, days * self.penalty_per_day), self)

    def describe(self) -> str:
        if self.penalty_per_day == 0:
            return "no penalty for late work"
        grace = f" after a grace period of {self.grace_minutes:g} minutes" if self.grace_minutes else ""
        return f"{self.penalty_per_day:.0%} off per started day late{grace}, at most {self.cap:.0%}"


@dataclass(frozen=True)
class Lateness:
    seconds_late: float
    days: int  # started days counted (after the grace period)
    fraction: float  # of the score taken off
    policy: LatePolicy

    def score(self, score: float) -> float:
        return round(score * (1.0 - self.fraction), 4)

    def text(self, score: float, max_score: float) -> str:
        """The sentence students read about it (empty for a submission on time)."""
        if self.seconds_late <= 0:
            return ""
        hours = self.seconds_late / 3600
        when = f"{hours:.1f} hours" if hours < 48 else f"{hours / 24:.1f} days"
        if self.fraction == 0:
            return f"Submitted {when} after the due date: no penalty ({self.policy.describe()})."
        return (
            f"Submitted {when} after the due date ({self.days} day(s) counted): {self.fraction:.0%} off "
            f"({self.policy.describe()}), {score:g} -> {self.score(score):g} of {max_score:g} points."
        )
