"""What containment student code must run in here, and the one error raised when it cannot.

The rule is *fail closed*: student code runs in the sandbox this host is set up for, or not at
all. Nothing falls back to a weaker protection because a probe failed, timed out or was slow:

- ``required`` (the default): the isolation recorded for this environment when it was set up
  (``python -m autograder sandbox --record``, which ``make setup`` runs) or, where nothing is
  recorded yet, established at first use and recorded then: bubblewrap where it is installed,
  Landlock where it is not. A probe is tried three times before it counts as failed.
- ``bubblewrap`` or ``landlock``: that one, chosen by the instructor.
- ``none``: no isolation at all, chosen by the instructor (a host with neither, code they trust);
  every run prints it and every report records it. Never a fallback.

The mode comes from ``AUTOGRADER_SANDBOX`` (one run) or ``[sandbox] mode`` of the course's
``assignment.toml``. :class:`SandboxUnavailable` is the grader's failure, never the student's:
the notebook is *not graded*, with the reason and the fix, and its code is not run.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MODE_ENV = "AUTOGRADER_SANDBOX"
RECORD_ENV = "AUTOGRADER_CONTAINMENT_RECORD"
MODES = ("required", "bubblewrap", "landlock", "none")
ISOLATIONS = ("none", "landlock", "bubblewrap")  # weakest first
SETTING = "assignment.toml [sandbox] mode"
FIX = (
    "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap) or grade on a kernel with Landlock; "
    f'to run student code WITHOUT a sandbox on purpose, set {MODE_ENV}=none or mode = "none" in {SETTING}'
)


class SandboxUnavailable(RuntimeError):
    """The containment student code must run in cannot be set up: a failure of the grader's host,
    reported as such (the notebook is not graded and its code does not run), never as the student's."""

    def __init__(self, reason: str, fix: str = FIX):
        super().__init__(reason)
        self.reason, self.fix = reason, fix

    def explain(self) -> str:
        """The reason and the fix, in one sentence for a report or a log."""
        return f"{self.reason} (fix: {self.fix})" if self.fix else self.reason


@dataclass(frozen=True)
class Mode:
    name: str  # one of MODES
    source: str  # what chose it: the environment variable, the course setting, or the default

    @property
    def opted_out(self) -> bool:
        return self.name == "none"


def mode() -> Mode:
    """The containment asked for: ``AUTOGRADER_SANDBOX``, else the course setting, else required."""
    value, source = os.environ.get(MODE_ENV, ""), f"{MODE_ENV}={os.environ.get(MODE_ENV, '')}"
    if not value:
        value, source = _course_setting(), SETTING
    value = "required" if value in ("", "auto") else value
    if value not in MODES:
        raise SandboxUnavailable(
            f"unknown sandbox mode {value!r} ({source})", f"use one of {', '.join(MODES)} (docs/security.md)"
        )
    return Mode(value, source if value != "required" or source != SETTING else "the default")


def _course_setting() -> str:
    try:
        from twolayer.config import section
    except ImportError:  # the sandbox used without the course's helper library
        return ""
    return str(section("sandbox").get("mode", ""))


# --- the record: what this environment was set up with -------------------------------------


def record_path() -> Path:
    """Where the environment's containment is recorded (beside its Python packages)."""
    return Path(os.environ.get(RECORD_ENV) or Path(sys.prefix) / "share" / "autograder" / "containment.json")


def read_record() -> dict[str, Any] | None:
    try:
        record = json.loads(record_path().read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("isolation") in ISOLATIONS[1:] else None


def write_record(isolation: str, cgroup: str | None, note: str = "") -> Path | None:
    """Record ``isolation`` (and the control groups) as this environment's; None where the folder
    cannot be written (a read-only environment: every process then establishes it again)."""
    path = record_path()
    record = {
        "isolation": isolation,
        "cgroup": cgroup,
        "note": note,
        "recorded": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "host": socket.gethostname(),
        "kernel": os.uname().release,
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(record, indent=1) + "\n")
        os.replace(tmp, path)
    except OSError:
        return None
    return path


def describe_record(record: dict[str, Any]) -> str:
    return f"recorded {record.get('recorded', '?')} on {record.get('host', '?')} in {record_path()}"
