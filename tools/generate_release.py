"""Regenerate the student version, release/two_layer_net, from source/two_layer_net.

    python tools/generate_release.py            # replace release/two_layer_net (what `make release` runs)
    python tools/generate_release.py --check    # exit 1 if release/ is not what source/ gives now
    python tools/generate_release.py --dest DIR # write the student version into DIR instead

It runs the real ``nbgrader generate_assignment two_layer_net --force`` in a throwaway course
folder (a copy of source/two_layer_net and of the course's nbgrader_config.py, nothing else), so
the checkout's gradebook and any personal Jupyter configuration play no part, and the output
depends on source/ and nbgrader_config.py alone: run twice, it gives the same bytes.
nbgrader replaces the solution regions with the configured stub, removes the hidden tests and
every output; caches, installed datasets and saved models (``*.npz``) are left out.
"""
from __future__ import annotations

import argparse
import filecmp
import fnmatch
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "two_layer_net"
SOURCE = ROOT / "source" / ASSIGNMENT
RELEASE = ROOT / "release" / ASSIGNMENT
CONFIG = ROOT / "nbgrader_config.py"

#: Names (globs, matched on each file's or folder's own name) never copied into a release.
EXCLUDE = (
    "__pycache__", "*.pyc", ".ipynb_checkpoints", ".pytest_cache", ".DS_Store", ".nbgrader.log",
    "datasets",   # CIFAR-10 installed by `python -m twolayer.download_cifar10`
)
#: Names excluded at the top of the assignment folder only: what running the notebook leaves
#: there (best_model.npz, Solver checkpoints). Data files of the twolayer package, such as
#: twolayer/visible_expected.npz, are part of the release.
EXCLUDE_TOP = ("*.npz",)


class ReleaseError(Exception):
    """nbgrader failed; the message holds its output."""


def _excluded(name: str, top: bool) -> bool:
    patterns = EXCLUDE + EXCLUDE_TOP if top else EXCLUDE
    return any(fnmatch.fnmatch(name, pattern) for pattern in patterns)


def release_files(folder: Path) -> list[Path]:
    """The files of an assignment folder that belong in its release, relative to it, sorted."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        top = Path(dirpath) == Path(folder)
        dirnames[:] = sorted(d for d in dirnames if not _excluded(d, top))
        found += [(Path(dirpath) / name).relative_to(folder)
                  for name in filenames if not _excluded(name, top)]
    return sorted(found)


def copy_assignment(source: Path, dest: Path) -> None:
    """Copy the release_files() of ``source`` into ``dest`` (contents only, not permissions)."""
    for relative in release_files(source):
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / relative, target)


def run_nbgrader(course: Path, *args: str, python: str = sys.executable,
                 env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``nbgrader ARGS`` in the course folder ``course``, seeing only its nbgrader_config.py.

    ``env`` adds to (or overrides) the environment. The output is captured, and the exit code
    returned, not checked.
    """
    full_env = dict(os.environ)
    # No ~/.jupyter or system-wide settings: the course's nbgrader_config.py alone. (With
    # JUPYTER_NO_CONFIG, jupyter_core makes an empty config folder in the temporary folder and
    # never removes it: keep it inside the course folder.)
    full_env["JUPYTER_NO_CONFIG"] = "1"
    full_env["JUPYTER_CONFIG_DIR"] = str(course / ".jupyter-config")
    (course / ".tmp").mkdir(parents=True, exist_ok=True)
    full_env["TMPDIR"] = str(course / ".tmp")
    # nbgrader runs the `alembic` command of its environment: find it without an activated venv.
    full_env["PATH"] = os.pathsep.join([str(Path(python).parent), full_env.get("PATH", os.defpath)])
    full_env.update(env or {})
    return subprocess.run([python, "-m", "nbgrader", *args], cwd=course, env=full_env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)


def make_course(course: Path, source: Path = SOURCE) -> Path:
    """A new course folder holding a copy of ``source`` and of the course's nbgrader_config.py."""
    copy_assignment(source, course / "source" / ASSIGNMENT)
    shutil.copy2(CONFIG, course / "nbgrader_config.py")
    return course


def generate(dest: Path, source: Path = SOURCE, *, python: str = sys.executable) -> Path:
    """Write the student version of ``source`` into ``dest`` (created; must not exist).

    Args:
        dest: the folder to create.
        source: the assignment's source folder (the notebook and its helper files).
        python: the interpreter that has nbgrader.

    Returns:
        ``dest``.

    Raises:
        ReleaseError: nbgrader generate_assignment failed.
    """
    dest = Path(dest)
    with tempfile.TemporaryDirectory(prefix="two-layer-net-release-") as tmp:
        course = make_course(Path(tmp) / "course", source)
        args = ("generate_assignment", ASSIGNMENT, "--force", f"--CourseDirectory.root={course}")
        done = run_nbgrader(course, *args, python=python)
        built = course / "release" / ASSIGNMENT
        if done.returncode != 0 or not (built / f"{ASSIGNMENT}.ipynb").is_file():
            raise ReleaseError(f"`nbgrader {' '.join(args)}` failed (exit {done.returncode}):\n"
                               f"{done.stdout}{done.stderr}")
        dest.mkdir(parents=True)
        copy_assignment(built, dest)  # contents only: nbgrader makes its copies read-only
    return dest


def differences(expected: Path, actual: Path) -> list[str]:
    """How the folder ``actual`` differs from ``expected``, file by file (empty: identical)."""
    want, have = set(release_files(expected)), set(release_files(actual))
    problems = [f"missing: {p}" for p in sorted(want - have)]
    problems += [f"unexpected: {p}" for p in sorted(have - want)]
    problems += [f"differs: {p}" for p in sorted(want & have)
                 if not filecmp.cmp(expected / p, actual / p, shallow=False)]
    return problems


def replace_release(release: Path = RELEASE, source: Path = SOURCE) -> Path:
    """Regenerate ``release`` from ``source``, swapping the folder only once nbgrader succeeded."""
    release.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".new-", dir=release.parent) as tmp:
        fresh = generate(Path(tmp) / ASSIGNMENT, source)
        old = Path(tmp) / "old"
        if release.exists():
            os.replace(release, old)
        os.replace(fresh, release)
    return release


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python tools/generate_release.py",
        description="Regenerate release/two_layer_net from source/ with nbgrader generate_assignment.",
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true",
                       help="only compare release/ with a fresh build; exit 1 if they differ")
    group.add_argument("--dest", type=Path, help="write the student version into this new folder")
    args = parser.parse_args(argv)
    try:
        if args.check:
            with tempfile.TemporaryDirectory() as tmp:
                problems = differences(generate(Path(tmp) / ASSIGNMENT), RELEASE)
            if problems:
                print(f"{RELEASE.relative_to(ROOT)} is out of date with source/ "
                      "(run `make release`):", *problems, sep="\n  ", file=sys.stderr)
                return 1
            print(f"{RELEASE.relative_to(ROOT)} is up to date.")
        elif args.dest:
            print(f"Student version written to {generate(args.dest)}.")
        else:
            print(f"Regenerated {replace_release().relative_to(ROOT)}.")
    except (ReleaseError, FileExistsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
