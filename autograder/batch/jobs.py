"""Grading a class: many notebooks, several at once, with a progress bar.

Each job is a process of its own that runs the suite for one notebook after another (pytest in
that process); only the typed results come back. One job grades in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from pathlib import Path

from tqdm import tqdm

from autograder.course.names import NOTEBOOK_FILE
from autograder.grading.options import Options
from autograder.grading.results import Status, SubmissionResult, student_name
from autograder.grading.run import grade_submission
from autograder.sandbox.watchdog import die_with_parent
from twolayer.data import DatasetNotInstalled

from .journal import Journal, digest


def find_notebooks(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(q for q in p.rglob(NOTEBOOK_FILE) if ".ipynb_checkpoints" not in q.parts)
        elif p.exists():
            found.append(p)
        else:
            raise FileNotFoundError(f"{p}: no such file or folder")
    return found


#: How a set of notebooks is graded: ``(tasks, progress, arrived)`` -> the results in the tasks'
#: order, ``arrived(path, result)`` called as each one is done (``grade_each`` with --jobs, or
#: ``autograder.batch.cluster`` on a Dask cluster).
Grader = Callable[[list[tuple[Path, Options]], bool, Callable[[Path, SubmissionResult], None]], list[SubmissionResult]]


def grade_many(
    paths: list[Path],
    options: Options,
    jobs: int,
    progress: bool = True,
    *,
    journal: Journal | None = None,
    resume: bool = False,
    grader: Grader | None = None,
) -> list[SubmissionResult]:
    """The results of ``paths``, in their order. With a ``journal``, each result is written to it
    as it arrives; with ``resume``, the results it already holds are kept, not graded again.
    ``grader`` grades what is left (default: ``grade_each`` in ``jobs`` processes)."""
    if grader is None:

        def grader(tasks, progress, arrived):
            return grade_each(tasks, jobs, progress, arrived=arrived)

    digests = {path: digest(path, options) for path in paths} if journal else {}
    kept = journal.kept() if journal and resume else {}
    results = {p: kept[(str(p), digests[p])] for p in paths if (str(p), digests.get(p)) in kept}
    todo = [(p, options) for p in paths if p not in results]
    if results:
        print(
            f"resuming: {len(results)} notebook(s) already graded in {journal.path}, {len(todo)} to go", file=sys.stderr
        )
    if journal is None:
        results.update(zip((p for p, _ in todo), grader(todo, progress, lambda path, result: None), strict=True))
        return [results[p] for p in paths]
    with journal.open(keep=resume) as stream:

        def arrived(path: Path, result: SubmissionResult) -> None:
            Journal.record(stream, path, digests[path], result)

        results.update(zip((p for p, _ in todo), grader(todo, progress, arrived), strict=True))
    return [results[p] for p in paths]


def grade_each(
    tasks: list[tuple[Path, Options]],
    jobs: int,
    progress: bool = True,
    *,
    arrived: Callable[[Path, SubmissionResult], None] | None = None,
) -> list[SubmissionResult]:
    """The results of grading each notebook with its options, in their order; ``arrived(path,
    result)`` is called as each one is done."""
    paths = [path for path, _ in tasks]
    bar = tqdm(total=len(paths), desc="grading", unit="notebook", file=sys.stderr) if progress and paths else None
    results: dict[Path, SubmissionResult] = {}

    def done(path: Path, result: SubmissionResult) -> None:
        results[path] = result
        if arrived:
            arrived(path, result)
        if bar:
            bar.update()

    try:
        if jobs <= 1 or len(paths) <= 1:
            for path, options in tasks:
                done(path, grade_safely(path, options))
        else:
            _in_jobs(tasks, jobs, done)
    finally:
        if bar:
            bar.close()
    return [results[p] for p in paths]


def _in_jobs(tasks: list[tuple[Path, Options]], jobs: int, done: Callable[[Path, SubmissionResult], None]) -> None:
    # spawn: jobs start from a clean process (not a copy of this one's threads), as children of this
    # one, so that they die with it (see _die_with_parent).
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=context, initializer=_start_job)
    try:
        futures: dict[Future, Path] = {pool.submit(grade_safely, p, options): p for p, options in tasks}
        for future in as_completed(futures):
            done(futures[future], future.result())
    except BaseException:  # deliberate: interrupted (Ctrl-C, SIGTERM) or failed: stop the jobs now
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def _start_job() -> None:
    """In each job process: it dies with the grader, and does its arithmetic on one BLAS thread."""
    _die_with_parent()
    one_blas_thread()


def _die_with_parent() -> None:
    """A job whose grader was killed (kill -9, an OOM kill) must not grade on as an orphan, holding the
    grader's output open: the kernel kills it when its parent, the grader, dies."""
    if not die_with_parent():
        os._exit(1)


def one_blas_thread() -> None:
    """The grader's own arithmetic is small, and several graders and sandboxed workers share the
    cores: one BLAS thread each. (OpenBLAS threads spin while they wait; oversubscribed, two
    graders' matrix products slowed each other down by orders of magnitude.)"""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)


def grade_safely(path: Path, options: Options) -> SubmissionResult:
    try:
        return grade_submission(path, options)
    except DatasetNotInstalled:
        raise
    except Exception as exc:  # noqa: BLE001 - a bug of the grader must not stop the class: ungraded
        return SubmissionResult(
            str(path),
            student_name(path),
            status=Status.UNGRADED,
            reason=f"the grader failed on this notebook: {type(exc).__name__}: {exc}",
            dataset=options.dataset or "",
            grader_failed=True,
        )
