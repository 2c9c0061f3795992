"""What ``run_autograder`` runs for one submission on Gradescope: always a valid results.json.

The steps, in order: lock the bundle away from student code (:func:`protect`), stop in time
(:func:`arm_deadline`), find the upload, grade it in the sandbox with the course's grader, apply
the late policy, and write ``/autograder/results/results.json``, checked against the schema. Any
failure on the way -- of the upload, of the platform, of the grader itself -- still gives a
results.json, one that says the submission could not be graded and why (never a missing file,
never a silent 0). Standard output is the log Gradescope shows the staff.
"""

from __future__ import annotations

import os
import signal
import stat
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder import sandbox
from autograder.batch.jobs import grade_safely, one_blas_thread
from autograder.course.gradescope_settings import Settings
from autograder.course.items import saved_as
from autograder.execution import remote
from autograder.grading.options import Options
from autograder.reports import gradescope as results
from autograder.sandbox.reaper import reap
from autograder.sandbox.watchdog import die_with_parent
from twolayer.config import dataset_name

from . import metadata, schema
from .submission import UploadProblem, find_model, find_notebook, load_model

ROOT = Path("/autograder")


@dataclass(frozen=True)
class Layout:
    """Gradescope's folders (its specification), under ``root`` (``/autograder`` there)."""

    root: Path

    @property
    def source(self) -> Path:
        return self.root / "source"

    @property
    def submission(self) -> Path:
        return self.root / "submission"

    @property
    def results_dir(self) -> Path:
        return self.root / "results"

    @property
    def results_file(self) -> Path:
        return self.results_dir / "results.json"

    @property
    def metadata(self) -> Path:
        return self.root / "submission_metadata.json"


def protect(layout: Layout) -> None:
    """Make everything of the bundle unreadable to other users, but what student code must run.

    Where bubblewrap cannot start, student code runs as an unprivileged user in this container:
    that user must not read the reference solution, the hidden checks or the results, nor write
    them. File modes do that whoever the user is: the bundle, the upload, the metadata and the
    results folder belong to root with no rights for others, except the two things a worker runs
    (``remote.WORKER_FILE`` and the student library ``remote.TWOLAYER_DIR``, public anyway),
    reachable through folders others may cross but not list."""
    for path in (layout.source, layout.submission, layout.results_dir):
        if path.exists():
            _lock_tree(path)
    if layout.metadata.exists():
        os.chmod(layout.metadata, 0o600)  # it names the students, with their e-mail addresses
    os.chmod(layout.root, 0o711)
    for public in (remote.WORKER_FILE, remote.TWOLAYER_DIR):
        public = public.resolve()
        if public.is_relative_to(layout.source.resolve()):
            _open_tree(public)
            for folder in public.parents:
                if not folder.is_relative_to(layout.root.resolve()):
                    break
                os.chmod(folder, 0o711)


def _lock_tree(top: Path) -> None:
    for dirpath, _dirs, files in os.walk(top):
        os.chmod(dirpath, 0o700)
        for name in files:
            path = Path(dirpath, name)
            if not path.is_symlink():
                mode = path.stat().st_mode
                os.chmod(path, 0o700 if mode & stat.S_IXUSR else 0o600)


def _open_tree(top: Path) -> None:
    if top.is_file():
        os.chmod(top, 0o644)
        return
    for dirpath, _dirs, files in os.walk(top):
        os.chmod(dirpath, 0o755)
        for name in files:
            if not Path(dirpath, name).is_symlink():
                os.chmod(Path(dirpath, name), 0o644)


def write(layout: Layout, doc: dict[str, Any], started: float) -> None:
    """Write results.json atomically; a document that breaks the schema becomes an ungraded one."""
    wrong = schema.problems(doc)
    if wrong:
        print("results.json would not be valid:", *wrong, sep="\n  ")
        doc = results.ungraded(f"the grader produced an invalid results.json ({wrong[0]})", time.monotonic() - started)
    layout.results_dir.mkdir(parents=True, exist_ok=True)
    tmp = layout.results_file.with_suffix(".tmp")
    tmp.write_text(results.dumps(doc))
    os.chmod(tmp, 0o600)
    os.replace(tmp, layout.results_file)


def arm_deadline(layout: Layout, budget: int, started: float) -> None:
    """Gradescope shows nothing at all when its timeout kills the run: stop before it, and say so."""

    def stop(signum: int, frame: Any) -> None:
        reason = (
            f"grading took longer than the {budget} s the course allows for one submission (the "
            "training cells are the usual cause: a search over too many settings or epochs)"
        )
        print(f"stopped: {reason}", flush=True)
        write(layout, results.ungraded(reason, time.monotonic() - started), started)
        os._exit(0)

    signal.signal(signal.SIGALRM, stop)
    signal.alarm(budget)


def grade(layout: Layout, settings: Settings, started: float) -> dict[str, Any]:
    """results.json of the upload in ``layout.submission``."""
    try:
        notebook = find_notebook(layout.submission)
    except UploadProblem as problem:
        return results.ungraded(str(problem), time.monotonic() - started, settings)
    print(f"notebook: {notebook.relative_to(layout.submission)}")
    notices, params = [], None
    model = find_model(layout.submission) if settings.use_uploaded_model else None
    if model is not None:
        try:
            item = saved_as(model.name)
            params = {item: load_model(model)}
            notices.append(f"`{item}` was graded from your uploaded {model.name}.")
        except UploadProblem as problem:
            notices.append(f"{problem}: the model your notebook's search trains was graded instead.")
    try:
        lateness = metadata.lateness(layout.metadata)
    except (ValueError, KeyError, TypeError) as exc:  # the platform's file, not the student's
        print(f"submission_metadata.json could not be read ({exc}): no late penalty applied")
        lateness = None
    # The training cells get the course's time budgets (assignment.toml [budgets]); the deadline armed
    # in main() stops the whole run before Gradescope's timeout.
    dataset = dataset_name()
    # BLAS threads chosen as the grading starts, from the container's CPU quota (twolayer/cpus.py).
    options = Options(dataset=dataset, params=params, threads=None)
    try:
        contained = sandbox.announce(sys.stdout).summary()
    except sandbox.SandboxUnavailable as err:  # the notebook is not run: its results.json says why
        contained = f"UNAVAILABLE: {err.explain()}"
    print(f"dataset: {options.dataset}; sandbox: {contained}")
    result = grade_safely(notebook, options)
    print(f"status: {result.status}; score {result.score:g} / {result.max_score:g}; {result.seconds:.1f} s")
    return results.document(result, settings, lateness=lateness, notices=notices)


def main(root: Path = ROOT) -> int:
    started = time.monotonic()
    layout = Layout(root)
    die_with_parent()  # run_autograder killed: so is all of this, its sandboxes with it
    one_blas_thread()
    for reaped in reap():  # what a run killed before it could clean up left (a container reused)
        print(f"reaped: {reaped}")
    try:
        settings = Settings.from_settings()
        protect(layout)
        arm_deadline(layout, settings.budget_seconds, started)
        doc = grade(layout, settings, started)
    except Exception as exc:  # noqa: BLE001 - whatever fails, the student gets a results.json saying so
        traceback.print_exc(file=sys.stdout)
        doc = results.ungraded(
            f"the autograder itself failed ({type(exc).__name__}: {exc}); the course staff can see the details",
            time.monotonic() - started,
        )
    signal.alarm(0)
    write(layout, doc, started)
    print(f"wrote {layout.results_file} in {time.monotonic() - started:.1f} s")
    return 0
