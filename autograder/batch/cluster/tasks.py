"""What a Dask worker is sent, and what it does with it.

A :class:`Task` is plain data: the notebook's bytes (or, with a shared file system, its path)
and their SHA-256, the grading options, and the instructor's fingerprint
(:mod:`.compatibility`). :func:`grade_task` runs on the worker: it refuses to grade if the worker
differs from the instructor's machine, writes the notebook into a folder of its own laid out as
nbgrader's (``<student>/two_layer_net/two_layer_net.ipynb``), and grades it with the same
``classes.grade_safely`` that ``--jobs`` runs, in a spawned job process of the worker, as
``--jobs`` does. What comes back is the result as the journal's JSON (``SubmissionResult.to_dict``),
never an object of the student's.

Why a job process and not the worker's own: the worker is a multi-threaded asyncio process
(its heartbeats, its comms), while the grader runs pytest in-process, sets environment
variables while it runs, limits BLAS threads and starts sandboxed processes; in a clean spawned
process it does all that exactly as a local job does, and the worker stays responsive. The job
process is kept for the next task (pytest and numpy are imported once), and dies with the worker.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import tempfile
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from autograder.batch.jobs import _start_job, grade_safely
from autograder.course.names import ASSIGNMENT, NOTEBOOK_FILE
from autograder.grading.options import Options

from . import compatibility


class GradingProcessDied(RuntimeError):
    """The worker's job process died while it graded (killed from outside: the grader is sandboxed
    from the student, so an out-of-memory kill of the machine, most likely)."""


@dataclass
class Task:
    student: str
    sha256: str
    options: dict[str, Any]  # Options as plain data
    expected: dict[str, Any]  # the instructor's fingerprint
    notebook: bytes | None = None  # sent with the task ...
    path: str | None = None  # ... or read from a file system the workers share

    @classmethod
    def of(cls, path: Path, student: str, options: Options, expected: dict[str, Any], *, shared: bool) -> Task:
        data = path.read_bytes()
        plain = {k: v for k, v in asdict(options).items() if k != "params"}
        return cls(
            student,
            hashlib.sha256(data).hexdigest(),
            plain,
            expected,
            notebook=None if shared else data,
            path=str(path.resolve()) if shared else None,
        )


_POOL: ProcessPoolExecutor | None = None
_SLOTS = 1  # the worker's threads: notebooks it grades at once
_POOL_LOCK = threading.Lock()


def _pool() -> ProcessPoolExecutor:
    global _POOL, _SLOTS
    with _POOL_LOCK:
        if _POOL is None:
            try:
                from distributed import get_worker

                slots = get_worker().state.nthreads
            except (ImportError, ValueError):  # not in a worker (a test calling this directly)
                slots = 1
            # A worker under a nanny is a daemonic process, which multiprocessing forbids to have
            # children, lest they outlive it: ours cannot (they die with their parent, see
            # classes._die_with_parent), so the flag is lifted for this process (what Dask's
            # ``distributed.worker.daemon: false`` does for every worker).
            multiprocessing.current_process()._config["daemon"] = False
            _SLOTS = slots
            _POOL = ProcessPoolExecutor(slots, mp_context=multiprocessing.get_context("spawn"), initializer=_start_job)
        return _POOL


def _forget(pool: ProcessPoolExecutor) -> None:
    global _POOL
    with _POOL_LOCK:
        if _POOL is pool:
            _POOL = None
    pool.shutdown(wait=False, cancel_futures=True)


def grade_task(task: Task) -> dict[str, Any]:
    """On a worker: the result of grading ``task``'s notebook, as plain data. Raises
    :class:`compatibility.WorkerRefused` on a worker that would grade differently, and
    :class:`GradingProcessDied` when the job process was killed (the scheduler's client retries it)."""
    compatibility.check(task.expected, task.options["dataset"])
    data = Path(task.path).read_bytes() if task.path is not None else task.notebook
    if hashlib.sha256(data).hexdigest() != task.sha256:
        raise ValueError(f"the notebook of {task.student} arrived changed (its SHA-256 differs): not graded here")
    pool = _pool()
    options = Options(**{**task.options, "items": tuple(task.options["items"]) if task.options["items"] else None})
    options.jobs = _SLOTS  # this worker's CPUs are shared by its task slots (twolayer/cpus.py)
    with tempfile.TemporaryDirectory(prefix="autograder-task-") as folder:
        safe = task.student if task.student not in ("", ".", "..") and "/" not in task.student else "student"
        path = Path(folder) / safe / ASSIGNMENT / NOTEBOOK_FILE
        path.parent.mkdir(parents=True)
        path.write_bytes(data)
        try:
            result = pool.submit(grade_safely, path, options).result()
        except BrokenProcessPool:
            _forget(pool)
            raise GradingProcessDied(
                f"the grading process of {task.student} died (killed from outside, e.g. out of memory)"
            ) from None
    from autograder.reports.json_report import to_json

    return {"sha256": task.sha256, "result": json.loads(to_json(result))}
