"""``/autograder/submission_metadata.json``: when the submission was made and when it was due.

The due dates are the submitter's own when Gradescope gives them (``users[].assignment``: an
extension granted to that student), else the assignment's. Times are ISO 8601 with a UTC offset.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from autograder.course.late import Lateness, LatePolicy


@dataclass(frozen=True)
class Timing:
    created_at: datetime
    due_date: datetime | None
    late_due_date: datetime | None

    @property
    def seconds_late(self) -> float:
        if self.due_date is None:
            return 0.0
        return max(0.0, (self.created_at - self.due_date).total_seconds())


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"the time {value!r} has no UTC offset")
    return parsed


def timing(doc: dict[str, Any]) -> Timing:
    """The submission's times, from the parsed metadata."""
    assignment = dict(doc.get("assignment") or {})
    for user in doc.get("users") or []:  # the latest due date any submitter was given wins
        theirs = (user or {}).get("assignment") or {}
        if theirs.get("due_date") and (
            not assignment.get("due_date") or _time(theirs["due_date"]) > _time(assignment["due_date"])
        ):
            assignment = {**assignment, **theirs}
    return Timing(
        created_at=_time(doc["created_at"]),
        due_date=_time(assignment.get("due_date") or doc.get("due_date")),
        late_due_date=_time(assignment.get("late_due_date") or doc.get("late_due_date")),
    )


def lateness(path: Path, policy: LatePolicy | None = None) -> Lateness | None:
    """How late the submission described by ``path`` is (None when there is no such file)."""
    if not path.is_file():
        return None
    return (policy or LatePolicy.from_settings()).apply(timing(json.loads(path.read_text())).seconds_late)
