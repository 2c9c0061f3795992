"""The ``grade`` command: notebooks found, graded here in jobs or on a Dask cluster (every result
in the journal as it arrives), and the reports written."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from autograder.batch.cluster import ClusterUnavailable
from autograder.batch.jobs import find_notebooks, grade_many
from autograder.batch.journal import Journal
from autograder.course.names import NOTEBOOK_FILE
from autograder.grading.options import Options
from autograder.reports.canvas import assignment_column, read_roster
from autograder.reports.writer import write
from autograder.sandbox import announce
from autograder.sandbox.reaper import reap
from twolayer.config import dataset_name


def main(args: argparse.Namespace) -> int:
    """``python -m autograder grade``: its exit status (0 once grading completed, 2 when it could not run)."""
    paths = find_notebooks(args.paths)
    if not paths:
        print(f"no {NOTEBOOK_FILE} found in {' '.join(args.paths)}", file=sys.stderr)
        return 2
    if args.canvas:  # a roster without the assignment's column stops here, not after grading
        assignment_column(read_roster(Path(args.canvas)), args.canvas_column)
    dataset = dataset_name(args.dataset)
    options = Options(
        dataset=dataset,
        seed=args.seed,
        items=tuple(args.item) or None,
        item_timeout=args.timeout,
        cell_timeout=args.cell_timeout,
        threads=args.blas_threads,  # None: chosen for each notebook (twolayer/cpus.py)
        jobs=args.jobs,
    )
    on_cluster = bool(args.scheduler or args.scheduler_file)
    if on_cluster and args.jobs != 1:
        print(
            "--jobs is for grading on this machine: on a cluster, the workers' threads say how many at once",
            file=sys.stderr,
        )
        return 2
    for reaped in reap():  # what gradings killed before they could clean up left behind
        print(f"reaped: {reaped}", file=sys.stderr)
    announce()  # which mechanisms contain student code here (docs/security.md); SandboxUnavailable: none
    start = time.monotonic()
    journal = Journal(Path(args.journal))
    kept = (
        f"every notebook graded so far is kept in {journal.path}; run the same command with --resume to grade the rest"
    )
    grader = None
    try:
        if on_cluster:
            try:
                from autograder.batch.cluster.grade import ClusterGrader
            except ImportError as exc:
                print(f"error: grading on a cluster needs Dask ({exc}): pip install -e '.[cluster]'", file=sys.stderr)
                return 2

            grader = ClusterGrader(
                args.scheduler,
                args.scheduler_file,
                timeout=args.scheduler_timeout,
                shared=args.shared_files,
                tries=args.tries,
            )
        results = grade_many(
            paths, options, args.jobs, progress=not args.quiet, journal=journal, resume=args.resume, grader=grader
        )
    except KeyboardInterrupt:
        print(f"\ninterrupted: {kept}", file=sys.stderr)
        return 130
    except ClusterUnavailable as exc:
        print(f"error: {exc}\n{kept}", file=sys.stderr)
        return 2
    finally:
        if grader is not None:
            grader.close()
    return write(
        results,
        format=args.format,
        output=args.output,
        csv=args.csv,
        canvas=args.canvas,
        canvas_column=args.canvas_column,
        gradebook=args.gradebook,
        details=not args.summary,
        footer=f"{len(results)} notebook(s) in {time.monotonic() - start:.1f} s on {options.dataset}",
    )
