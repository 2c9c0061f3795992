"""What earlier gradings left when they were killed before they could clean up, reaped by the next
one: processes in control groups whose maker is gone, processes of sandbox users whose lease no
grader holds, and the private folders of killed kernel launchers. What belongs to a grading that
is still running (its maker alive, its lease held) is left alone.

A grading that ends normally, or is stopped by a signal, leaves nothing: the sandbox's PID
namespace dies with its parent, and without bubblewrap its watchdog kills what is left
(:mod:`.watchdog`). This is for what even those could not do (the whole machine's grader tree
killed at once, a crash of the watchdog).
"""

from __future__ import annotations

import os
from pathlib import Path

from . import cgroups, users


def reap() -> list[str]:
    """Reap what killed gradings left; returns what was reaped, for the log."""
    done = [f"control group {d}" for d in cgroups.remove_orphan_cgroups()]
    if os.geteuid() == 0:
        for uid in _sandbox_uids_with_processes():
            if users.reap(uid):
                done.append(f"processes of sandbox user {uid}")
    return done


def _sandbox_uids_with_processes() -> set[int]:
    """The uids of the sandbox users' range that have processes now (one pass over /proc; the
    real uid from ``status``, which a process cannot hide by making itself undumpable)."""
    wanted = users.uid_range()
    found = set()
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            status = Path(f"/proc/{name}/status").read_bytes()
            uid = int(status.split(b"\nUid:\t", 1)[1].split(b"\t", 1)[0])
        except (OSError, IndexError, ValueError):
            continue
        if uid in wanted:
            found.add(uid)
    return found
