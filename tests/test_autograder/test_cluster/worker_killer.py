"""Preloaded into the test workers (``dask worker --preload``): faults on cue, by the student's name
in the task's key.

- ``worker-killer``: the worker dies at once when it starts grading the notebook, as a machine lost
  to the out-of-memory killer: the submission that kills every worker it touches;
- ``grader-killer``: the worker's grading process (not the worker) is killed while it grades.
"""

from __future__ import annotations

import os
import signal
import threading
import time

import psutil
from distributed.diagnostics.plugin import WorkerPlugin

KILLER = "worker-killer"
GRADER_KILLER = "grader-killer"


def _kill_grading_process() -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        time.sleep(0.5)
        jobs = [
            p
            for p in psutil.Process().children()
            if "spawn_main" in " ".join(p.cmdline()) and "resource_tracker" not in " ".join(p.cmdline())
        ]
        if jobs:
            for p in jobs:
                p.send_signal(signal.SIGKILL)
            return


class KillOnKey(WorkerPlugin):
    def transition(self, key, start, finish, **kwargs):
        if finish == "executing" and KILLER in str(key):
            os.kill(os.getpid(), signal.SIGKILL)
        if finish == "executing" and GRADER_KILLER in str(key):
            threading.Thread(target=_kill_grading_process, daemon=True).start()


async def dask_setup(worker) -> None:
    await worker.plugin_add(KillOnKey(), name="kill-on-key")
