"""``make gradescope``: the autograder zip an instructor uploads to Gradescope.

Its root holds ``setup.sh`` and ``run_autograder`` (Gradescope's specification: at the root, not
in a folder; both executable), then the grader as the repository lays it out -- the
``autograder`` package, the assignment's source folder (the reference solution is the source
notebook), ``pyproject.toml``, the lock(s) and the README that pip needs -- and two files the
build writes: ``course.env`` (the course's dataset, fixed at build time) and ``GRADER_COMMIT``.
Nothing else: no tests, no solutions, no datasets (CIFAR-10 is downloaded by setup.sh, MD5
checked: docs/gradescope.md). The zip is reproducible: sorted names, fixed dates.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from autograder.course.reference import REPO
from autograder.course.release import SOURCE, release_files
from autograder.course.version import commit
from twolayer.config import dataset_name

FILES = Path(__file__).with_name("files")
ENTRY_POINTS = ("setup.sh", "run_autograder")  # at the zip's root, executable
TOP_FILES = ("pyproject.toml", "README.md")
PACKAGE = REPO / "autograder"
SKIP = ("__pycache__", ".ipynb_checkpoints", ".pytest_cache")
ZIP_DATE = (2020, 1, 1, 0, 0, 0)


def grader_files() -> dict[str, Path]:
    """Name in the zip -> file on disk, for the grader's own files."""
    found: dict[str, Path] = {}
    for dirpath, dirnames, filenames in os.walk(PACKAGE):
        dirnames[:] = [d for d in dirnames if d not in SKIP]
        for name in filenames:
            if not name.endswith((".pyc", ".pyo")):
                path = Path(dirpath, name)
                found[path.relative_to(REPO).as_posix()] = path
    for relative in release_files(SOURCE):  # the notebook and twolayer/, without run leftovers
        path = SOURCE / relative
        found[path.relative_to(REPO).as_posix()] = path
    for name in TOP_FILES:
        found[name] = REPO / name
    for lock in sorted(REPO.glob("requirements*.lock")):
        found[lock.name] = lock
    return found


def course_env(dataset: str) -> str:
    """What run_autograder and setup.sh read: the course's settings fixed at build time."""
    return f"# Written by `make gradescope`.\nTWO_LAYER_NET_DATASET={dataset}\n"


def _add(z: zipfile.ZipFile, name: str, data: bytes, mode: int) -> None:
    info = zipfile.ZipInfo(name, ZIP_DATE)
    info.external_attr = (0o100000 | mode) << 16  # a regular file with these permissions
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, data)


def build(out: Path, dataset: str | None = None) -> tuple[Path, str]:
    """Write ``out/autograder.zip``; return its path and a line saying what it holds."""
    dataset = dataset_name(dataset)
    out.mkdir(parents=True, exist_ok=True)
    target = out / "autograder.zip"
    tmp = target.with_suffix(".zip.tmp")
    files = grader_files()
    with zipfile.ZipFile(tmp, "w") as z:
        for name in ENTRY_POINTS:
            _add(z, name, (FILES / name).read_bytes(), 0o755)
        _add(z, "course.env", course_env(dataset).encode(), 0o644)
        _add(z, "GRADER_COMMIT", (commit() + "\n").encode(), 0o644)
        for name in sorted(files):
            _add(z, name, files[name].read_bytes(), 0o644)
    os.replace(tmp, target)
    return target, f"{len(files) + 4} files, dataset {dataset}, commit {commit() or 'unknown'}"
