"""The grading service's queue and its journal: what happened to every submission, on disk.

Each step of a submission is one JSON line, flushed and synced before the next step starts:

  seen        the service found it in the inbound (with when it was submitted)
  superseded  the same student submitted again before it was graded: only the newest is graded
  refused     it cannot be graded (too large, not the student's, no notebook): the reason
  graded      the course grader's result (the whole result, so that feedback can be made again)
  recorded    its score is in the gradebook (or, for an older submission, deliberately not)
  released    its feedback is in the exchange (with whether the hidden checks' details were shown)

The state of a submission is its last line. After a restart (of the service or the hub) the
journal is read again: nothing graded is graded again, nothing seen is lost, a step cut short is
done again (each one is idempotent). A line cut short by a crash is skipped.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STEPS = ("seen", "superseded", "refused", "graded", "recorded", "released")


@dataclass
class Entry:
    key: str
    student: str
    submitted_at: float = 0.0
    state: str = "seen"
    result: dict[str, Any] | None = None  # the course grader's result, once graded
    reason: str = ""  # why refused or superseded
    hidden_shown: bool | None = None  # at the last release
    counted: bool = False  # its score is the one in the gradebook (the student's newest graded)
    history: list[str] = field(default_factory=list)

    @property
    def pending(self) -> bool:
        return self.state == "seen"


class Journal:
    """The journal file and the entries it gives, kept in memory; thread-safe."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.entries: dict[str, Entry] = {}
        self._lock = threading.Lock()
        self._replay()

    def _replay(self) -> None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        if text and not text.endswith("\n"):  # end the line a crash cut short: the next step starts a new one
            with open(self.path, "a", encoding="utf-8") as f:
                f.write("\n")
        for line in text.splitlines():
            try:
                event = json.loads(line)
                self._apply(event)
            except (ValueError, KeyError, TypeError):  # cut short by a crash
                continue

    def _apply(self, event: dict[str, Any]) -> None:
        step, key = event["step"], event["key"]
        if step not in STEPS:
            raise ValueError(step)
        if step == "seen":
            entry = self.entries.setdefault(key, Entry(key, event["student"], event["submitted_at"]))
        else:
            entry = self.entries[key]
        entry.state = step
        entry.history.append(step)
        if step == "graded":
            entry.result = event["result"]
        if step in ("refused", "superseded"):
            entry.reason = event.get("reason", "")
        if step == "recorded":
            entry.counted = event.get("counted", True)
        if step == "released":
            entry.hidden_shown = event.get("hidden_shown")

    def write(self, step: str, key: str, **fields: Any) -> None:
        """Append one step (durably) and apply it."""
        event = {"step": step, "key": key, "time": time.time(), **fields}
        with self._lock:
            self._apply(event)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(json.dumps(event) + "\n")
                f.flush()
                os.fsync(f.fileno())

    def seen(self, key: str, student: str, submitted_at: float) -> bool:
        """Record a new submission; False when the journal has it already."""
        if key in self.entries:
            return False
        self.write("seen", key, student=student, submitted_at=submitted_at)
        return True

    def of_student(self, student: str) -> list[Entry]:
        """The student's submissions, oldest first."""
        with self._lock:
            return sorted(
                (e for e in self.entries.values() if e.student == student), key=lambda e: (e.submitted_at, e.key)
            )

    def newest_counted(self, student: str) -> Entry | None:
        """The student's newest submission whose score is in the gradebook."""
        counted = [e for e in self.of_student(student) if e.counted]
        return counted[-1] if counted else None

    def snapshot(self) -> list[Entry]:
        with self._lock:
            return list(self.entries.values())
