"""Grading a class: many notebooks, several at once, with a progress bar.

Each job is a process of its own that runs the suite for one notebook after another (pytest in
that process); only the typed results come back. One job grades in this process.
"""

from __future__ import annotations

import multiprocessing
import sys
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from pathlib import Path

from twolayer.data import DatasetNotInstalled

from .grading import Options, grade_submission
from .results import Status, SubmissionResult, student_name

NOTEBOOK = "two_layer_net.ipynb"


def find_notebooks(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(q for q in p.rglob(NOTEBOOK) if ".ipynb_checkpoints" not in q.parts)
        elif p.exists():
            found.append(p)
        else:
            raise FileNotFoundError(f"{p}: no such file or folder")
    return found


def grade_many(paths: list[Path], options: Options, jobs: int, progress: bool = True) -> list[SubmissionResult]:
    """The results of ``paths``, in their order."""
    return grade_each([(path, options) for path in paths], jobs, progress)


def grade_each(tasks: list[tuple[Path, Options]], jobs: int, progress: bool = True) -> list[SubmissionResult]:
    """The results of grading each notebook with its options, in their order."""
    paths = [path for path, _ in tasks]
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(paths), desc="grading", unit="notebook", file=sys.stderr)
    results: dict[Path, SubmissionResult] = {}
    try:
        if jobs <= 1 or len(paths) <= 1:
            for path, options in tasks:
                results[path] = grade_safely(path, options)
                if bar:
                    bar.update()
        else:
            # forkserver: jobs start from a clean process, not a copy of this one's threads.
            context = multiprocessing.get_context("forkserver")
            with ProcessPoolExecutor(
                max_workers=min(jobs, len(paths)), mp_context=context, initializer=one_blas_thread
            ) as pool:
                futures: dict[Future, Path] = {pool.submit(grade_safely, p, options): p for p, options in tasks}
                for future in as_completed(futures):
                    results[futures[future]] = future.result()
                    if bar:
                        bar.update()
    finally:
        if bar:
            bar.close()
    return [results[p] for p in paths]


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
        )
