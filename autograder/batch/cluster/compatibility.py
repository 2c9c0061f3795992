"""Whether a worker grades exactly as the instructor's machine would: checked before it is used.

A worker's *fingerprint* is what decides a grade besides the notebook: the grader and course
files (a hash of their contents, so that a worker installed from another commit differs even
when its version number does not), the Python and numpy it runs, the dataset the checks score
with (a hash of its arrays) and whether bubblewrap contains student code there. A worker whose
fingerprint differs from the instructor's is refused, with what differs and what to do.
"""

from __future__ import annotations

import hashlib
import os
import platform
import threading
from pathlib import Path
from typing import Any

import numpy as np
from distributed import get_worker
from distributed.diagnostics.plugin import WorkerPlugin

import autograder
import twolayer
from autograder.course.reference import source_notebook

GRADER_DIR = Path(autograder.__file__).resolve().parent
COURSE_DIR = Path(twolayer.__file__).resolve().parent

_CACHE: dict[tuple[str, str | None], dict[str, Any]] = {}
_LOCK = threading.Lock()


class WorkerRefused(RuntimeError):
    """This worker would not grade as the instructor's machine does (raised on the worker)."""


def _files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts
    )


def code_hash() -> str:
    """A hash of the grader (``autograder/``), the course library (``twolayer/``) and the source
    notebook the locked cells and the reference come from: every file, by name and contents."""
    h = hashlib.sha256()
    for root, files in ((GRADER_DIR, _files(GRADER_DIR)), (COURSE_DIR, _files(COURSE_DIR))):
        for path in files:
            h.update(str(path.relative_to(root.parent)).encode() + b"\0" + path.read_bytes() + b"\0")
    if source_notebook().exists():  # the notebook the worker's grading reads (the course folder's)
        h.update(source_notebook().read_bytes())
    return h.hexdigest()


def dataset_hash(dataset: str) -> str:
    """A hash of every split of ``dataset`` as the grader loads it (what students train on and what
    their models are scored with)."""
    from twolayer.data import load_dataset

    data = load_dataset(dataset)
    h = hashlib.sha256()
    for key in sorted(k for k, v in data.items() if isinstance(v, np.ndarray)):
        array = np.ascontiguousarray(data[key])
        h.update(f"{key}{array.dtype}{array.shape}".encode())
        h.update(array.data)
    return h.hexdigest()


def fingerprint(dataset: str) -> dict[str, Any]:
    """This machine's fingerprint for grading on ``dataset`` (computed once per process)."""
    from autograder.sandbox import SandboxUnavailable, mechanisms

    key = (dataset, os.environ.get("CIFAR10_DIR"))
    with _LOCK:
        if key not in _CACHE:
            try:
                data = dataset_hash(dataset)
            except Exception as exc:  # noqa: BLE001 - not installed (CIFAR-10), unreadable: said in the refusal
                data = f"not loadable: {type(exc).__name__}: {exc}"
            try:
                isolation = mechanisms().isolation
            except SandboxUnavailable as err:
                isolation = f"unavailable: {err.explain()}"
            _CACHE[key] = {
                "grader": code_hash(),
                "python": platform.python_version(),
                "numpy": np.__version__,
                "dataset": data,
                "isolation": isolation,
            }
        return dict(_CACHE[key])


def differences(instructor: dict[str, Any], worker: dict[str, Any]) -> list[str]:
    """What makes ``worker`` grade differently from ``instructor``, one sentence each (empty: it may grade).
    A worker that contains more than the instructor's machine (bubblewrap where it has Landlock) is accepted:
    it grades the same."""
    found = []
    if worker.get("grader") != instructor["grader"]:
        found.append(
            "its grader or course files differ from yours (another commit, or edited files): "
            "install the same commit there (`pip install -e .` in a checkout of it)"
        )
    for name in ("python", "numpy"):
        if worker.get(name) != instructor[name]:
            found.append(
                f"it runs {name} {worker.get(name)}, you run {instructor[name]}: install the course "
                "environment there (requirements.lock)"
            )
    if worker.get("dataset") != instructor["dataset"]:
        theirs = worker.get("dataset", "")
        why = theirs if str(theirs).startswith("not loadable") else "its arrays differ from yours"
        found.append(f"its dataset is not the one you grade with ({why}): install the same dataset (CIFAR10_DIR)")
    theirs, yours = str(worker.get("isolation", "")), str(instructor.get("isolation", ""))
    if theirs.startswith("unavailable"):
        found.append(f"student code cannot be contained there ({theirs})")
    elif _rank(theirs) < _rank(yours):
        found.append(
            f"student code would run less contained there ({theirs}) than on your machine ({yours}): "
            "install bubblewrap there (apt-get install bubblewrap)"
        )
    return found


def _rank(isolation: str) -> int:
    from autograder.sandbox.policy import ISOLATIONS

    return ISOLATIONS.index(isolation) if isolation in ISOLATIONS else -1


def check(instructor: dict[str, Any], dataset: str) -> None:
    """On a worker, before grading: raise :class:`WorkerRefused` if it would grade differently."""
    found = differences(instructor, fingerprint(dataset))
    if found:
        try:
            where = get_worker().address
        except ValueError:  # not in a worker
            where = "this machine"
        raise WorkerRefused(f"{where}: " + "; ".join(found))


def resource(instructor: dict[str, Any]) -> str:
    """The Dask resource a worker holds once it is known to grade as ``instructor``: tasks ask for it,
    so that no worker refused, or not checked yet, is given one."""
    return "two-layer-net-grader-" + hashlib.sha256(repr(sorted(instructor.items())).encode()).hexdigest()[:12]


class GraderCheck(WorkerPlugin):
    """A Dask worker plugin (``Client.register_plugin``): every worker of the cluster, those there
    now and those that join later (a restarted worker, a new Slurm job), checks its fingerprint
    against the instructor's when the plugin reaches it, and takes the grading resource only if
    they agree; a refused worker says why in its log and never receives a notebook."""

    def __init__(self, instructor: dict[str, Any], dataset: str) -> None:
        self.instructor, self.dataset = instructor, dataset
        self.name = resource(instructor)

    async def setup(self, worker: Any) -> None:
        import asyncio
        import logging

        mine = await asyncio.get_running_loop().run_in_executor(None, fingerprint, self.dataset)
        found = differences(self.instructor, mine)
        if found:
            logging.getLogger("distributed.worker").warning("refused by the course grader: %s", "; ".join(found))
            return
        await worker.set_resources(**{self.name: worker.state.nthreads})
