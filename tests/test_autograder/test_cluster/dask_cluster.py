"""A real Dask cluster on 127.0.0.1: `dask scheduler` and `dask worker` processes of this venv.

Each worker has a nanny (as dask-jobqueue starts them), one thread, and one core of its own
(``sched_setaffinity``), as two one-core machines would be: its training sandboxes then use one
BLAS thread, as ``--jobs 2`` does on this two-core machine, and the grades are the same.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

DASK = Path(sys.executable).with_name("dask")
KILLER = Path(__file__).with_name("worker_killer.py")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalCluster:
    """A scheduler and its workers, each a process group of its own (killed whole, as a machine)."""

    def __init__(self, folder: Path, *, allowed_failures: int = 3) -> None:
        self.folder = folder
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.scheduler_file = folder / "scheduler.json"
        self.env = {
            **os.environ,
            "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": str(allowed_failures),
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
        }
        self.workers: list[subprocess.Popen] = []
        self.scheduler = self._start(
            "scheduler",
            [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(self.port), "--no-dashboard",
             "--scheduler-file", str(self.scheduler_file)],
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while not self.scheduler_file.exists():
            assert self.scheduler.poll() is None and time.monotonic() < deadline, self.log("scheduler")
            time.sleep(0.1)

    def _start(self, name: str, args: list[str], cpu: int | None = None) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "w")  # noqa: SIM115 - open as long as the process runs
        cores = sorted(os.sched_getaffinity(0))
        pin = (lambda: os.sched_setaffinity(0, {cores[cpu % len(cores)]})) if cpu is not None else None
        return subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, env=self.env, cwd=self.folder,
            start_new_session=True, preexec_fn=pin,
        )  # fmt: skip

    def add_worker(self) -> subprocess.Popen:
        n = len(self.workers)
        worker = self._start(
            f"worker{n}",
            [str(DASK), "worker", self.address, "--nthreads", "1", "--nworkers", "1", "--no-dashboard",
             "--host", "127.0.0.1", "--preload", str(KILLER), "--name", f"w{n}"],
            cpu=n,
        )  # fmt: skip
        self.workers.append(worker)
        return worker

    def wait_for_workers(self, n: int) -> None:
        from distributed import Client

        with Client(self.address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(n, timeout=120)

    def running_workers(self) -> list[subprocess.Popen]:
        return [w for w in self.workers if w.poll() is None]

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        """SIGKILL to the whole process group: the nanny, its worker and their grading processes."""
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=30)

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text()[-3000:]

    def close(self) -> None:
        for process in [*self.workers, self.scheduler]:
            self.kill(process)


def journal_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
