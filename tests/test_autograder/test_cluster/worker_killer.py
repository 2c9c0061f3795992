"""Preloaded into the test workers (``dask worker --preload``): a worker dies at once, as a machine
lost to the out-of-memory killer, whenever it starts grading a notebook of the student
``worker-killer``: the submission that kills every worker it touches."""

from __future__ import annotations

import os
import signal

from distributed.diagnostics.plugin import WorkerPlugin

KILLER = "worker-killer"


class KillOnKey(WorkerPlugin):
    def transition(self, key, start, finish, **kwargs):
        if finish == "executing" and KILLER in str(key):
            os.kill(os.getpid(), signal.SIGKILL)


async def dask_setup(worker) -> None:
    await worker.plugin_add(KillOnKey(), name="kill-on-key")
