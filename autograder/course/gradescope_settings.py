"""The ``[gradescope]`` table of ``twolayer/assignment.toml``, checked once."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from twolayer.config import section

#: Gradescope's visibility values (its specification, "Controlling test case visibility").
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
#: The grader stops itself this long before Gradescope's timeout, to write why it stopped.
MARGIN_SECONDS = 60


@dataclass(frozen=True)
class Settings:
    visible_checks: str = "visible"
    hidden_checks: str = "after_due_date"
    stdout_visibility: str = "hidden"
    timeout_seconds: int = 600  # Gradescope's default container timeout (10 minutes)
    use_uploaded_model: bool = True
    leaderboard: str = ""  # the item whose validation accuracy the leaderboard shows ("": none)
    # The container memory to choose in Gradescope, per dataset (measured: docs/gradescope.md).
    container_memory_mb: dict = field(default_factory=lambda: {"digits": 768, "cifar10": 3072})

    def __post_init__(self) -> None:
        for name in ("visible_checks", "hidden_checks", "stdout_visibility"):
            if getattr(self, name) not in VISIBILITIES:
                raise ValueError(f"[gradescope] {name} must be one of {', '.join(VISIBILITIES)}")
        if self.timeout_seconds <= 2 * MARGIN_SECONDS:
            raise ValueError(f"[gradescope] timeout_seconds must be more than {2 * MARGIN_SECONDS}")

    @property
    def budget_seconds(self) -> int:
        """How long grading may take before the grader gives up and says so."""
        return self.timeout_seconds - MARGIN_SECONDS

    @classmethod
    def from_settings(cls) -> Settings:
        table = section("gradescope")
        known = {f.name for f in fields(cls)}
        unknown = set(table) - known
        if unknown:
            raise ValueError(f"unknown setting(s) in [gradescope] of assignment.toml: {', '.join(sorted(unknown))}")
        return cls(**table)
