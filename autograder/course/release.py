"""What an assignment folder may give a release, a course or the Gradescope bundle: an allow-list,
so that the student version carries nothing of the solution whatever the instructor ran in
``source/`` before building it (``make release``, ``tools/generate_release.py``)."""

from __future__ import annotations

import filecmp
import fnmatch
import os
import shutil
from pathlib import Path

from .names import ASSIGNMENT, NOTEBOOK_FILE
from .reference import REPO

SOURCE = REPO / "source" / ASSIGNMENT

#: What an assignment folder may give a course, a release or the Gradescope bundle, and nothing else
#: (globs on the path relative to it; ``*`` crosses folders): the notebook and the student library's
#: code, settings and data. Whatever else is there (what running the notebook leaves: a submission
#: zip, best_model.npz, checkpoints; a copy of the notebook; an installed dataset) is left out and
#: named (:func:`left_out`): the student version carries nothing of the solution, whatever the
#: instructor ran in source/ before building it.
RELEASE_ALLOW = (NOTEBOOK_FILE, "twolayer/*.py", "twolayer/*.toml", "twolayer/*.npz")
#: What `make release` writes into the student version from the course's lock, beside what nbgrader
#: generates (tools/generate_release.py).
STUDENT_ENVIRONMENT = ("requirements.txt", "environment.yml")
#: Caches and editor files: left out without a word.
NOISE = ("__pycache__", "*.pyc", ".ipynb_checkpoints", ".pytest_cache", ".DS_Store", ".nbgrader.log")


def _files(folder: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not _noise(d) and not (Path(dirpath) / d).is_symlink())
        found += [(Path(dirpath) / name).relative_to(folder) for name in filenames if not _noise(name)]
    return sorted(found)


def _noise(name: str) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in NOISE)


def _allowed(relative: Path) -> bool:
    name = relative.as_posix()
    return name in STUDENT_ENVIRONMENT or any(fnmatch.fnmatch(name, pattern) for pattern in RELEASE_ALLOW)


def release_files(folder: Path) -> list[Path]:
    """The files of an assignment folder that belong in its release (:data:`RELEASE_ALLOW`, and the
    students' environment files), relative to it, sorted."""
    return [f for f in _files(folder) if _allowed(f) and not (folder / f).is_symlink()]


def left_out(folder: Path) -> list[Path]:
    """The files of an assignment folder that :func:`release_files` leaves out (caches aside)."""
    return [f for f in _files(folder) if not _allowed(f) or (folder / f).is_symlink()]


def copy_assignment(source: Path, dest: Path) -> None:
    """Copy the release_files() of ``source`` into ``dest`` (contents only, not permissions: nbgrader
    makes its copies read-only)."""
    for relative in release_files(source):
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / relative, target)


def differences(expected: Path, actual: Path) -> list[str]:
    """How the folder ``actual`` differs from ``expected``, file by file (empty: identical)."""
    want, have = set(release_files(expected)), set(release_files(actual))
    problems = [f"missing: {p}" for p in sorted(want - have)]
    problems += [f"unexpected: {p}" for p in sorted(have - want)]
    problems += [
        f"differs: {p}" for p in sorted(want & have) if not filecmp.cmp(expected / p, actual / p, shallow=False)
    ]
    return problems
