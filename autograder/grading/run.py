"""Grading one submission: the suite of ``autograder/suite/`` run by pytest, in this process.

``grade_submission`` never raises for anything the submission does: a notebook it cannot read,
or a failure of the grader itself, gives an *ungraded* result with the reason, never a 0.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from autograder import sandbox

from .options import Options, with_threads
from .plugin import Grading
from .results import Status, SubmissionResult

SUITE = Path(__file__).resolve().parents[1] / "suite"
# pytest's plugins that have no business in an in-process run: the terminal (the reports are
# ours), output capture (it would take this process's stdout), the cache (no files to write), the
# collectors of unraisable and thread exceptions (student code runs in its worker, not here; each
# run ended with their forced garbage collections, 0.09 s of CPU per submission).
PYTEST_ARGS = (
    "-p",
    "no:terminal",
    "-p",
    "no:cacheprovider",
    "-p",
    "no:warnings",
    "-p",
    "no:unraisableexception",
    "-p",
    "no:threadexception",
    "-s",
    "--rootdir",
    str(SUITE),
    "-c",
    os.devnull,
)
NO_AUTOLOAD = "PYTEST_DISABLE_PLUGIN_AUTOLOAD"


class SuiteError(RuntimeError):
    """The grader's own suite could not run: a bug of the grader, not of the submission."""


def grade_submission(path: str | Path, options: Options | None = None) -> SubmissionResult:
    """Grade one notebook with the suite; *ungraded*, its code not run, where the sandbox this host
    must give it cannot be had (``sandbox.policy``: fail closed)."""
    start = time.monotonic()
    grading = Grading(Path(path), with_threads(options or Options()))
    try:
        grading.containment = sandbox.mechanisms().summary()
    except sandbox.SandboxUnavailable as err:
        grading.sandbox_failure = err.explain()
    try:
        if not grading.sub.error and not grading.sandbox_failure:
            _run_suite(grading)
        result = grading.result()
    except SuiteError as err:
        result = grading.result()
        result.status, result.reason, result.cells = Status.UNGRADED, f"the grader failed on this notebook: {err}", []
        result.grader_failed = True
    finally:
        grading.close()
    result.seconds = time.monotonic() - start
    return result


def _run_suite(grading: Grading) -> None:
    # Third-party pytest plugins of the environment are not loaded: a run costs 0.05 s, not 0.5 s.
    autoload = os.environ.get(NO_AUTOLOAD)
    os.environ[NO_AUTOLOAD] = "1"
    try:
        code = pytest.main([str(SUITE), *PYTEST_ARGS], plugins=[grading])
    finally:
        if autoload is None:
            del os.environ[NO_AUTOLOAD]
        else:
            os.environ[NO_AUTOLOAD] = autoload
    if grading.interrupted:
        raise KeyboardInterrupt
    if grading.sandbox_failure:  # the suite was stopped on purpose: result() says why
        return
    if grading.collection_errors:  # pytest says "interrupted" for these too
        grading.records.clear()
        raise SuiteError("its suite could not be collected: " + "; ".join(grading.collection_errors))
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED, pytest.ExitCode.NO_TESTS_COLLECTED):
        grading.records.clear()
        raise SuiteError(f"its suite could not run (pytest exit status {int(code)})")
