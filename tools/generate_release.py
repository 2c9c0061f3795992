"""Regenerate the student version, release/two_layer_net, from source/two_layer_net.

    python tools/generate_release.py            # replace release/two_layer_net (what `make release` runs)
    python tools/generate_release.py --check    # exit 1 if release/ is not what source/ gives now
    python tools/generate_release.py --dest DIR # write the student version into DIR instead

It runs the real ``nbgrader generate_assignment two_layer_net --force`` in a throwaway course
folder (``autograder.nbgrader.course.Course``: a copy of source/two_layer_net and of the course's
nbgrader_config.py, nothing else), so the checkout's gradebook and any personal Jupyter
configuration play no part, and the output depends on source/ and nbgrader_config.py alone:
run twice, it gives the same bytes.
nbgrader replaces the solution regions with the configured stub, removes the hidden tests and
every output. Only what ``autograder.nbgrader.course.RELEASE_ALLOW`` names goes in (the notebook and the
student library); anything else found in source/ (a submission zip, best_model.npz, a copy of the
notebook, an installed dataset) is left out, and named. Beside the notebook go the student's environment files,
made from the course's lock (`student_requirements`): ``requirements.txt`` (the versions the
course tests, without the development tools) and ``environment.yml`` (conda: that Python, then
pip with the same file).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

from autograder.course.names import ASSIGNMENT
from autograder.course.release import SOURCE, STUDENT_ENVIRONMENT, copy_assignment, differences, left_out
from autograder.nbgrader.course import Course, NbgraderError

ROOT = Path(__file__).resolve().parent.parent
RELEASE = ROOT / "release" / ASSIGNMENT
LOCK = ROOT / "requirements.lock"
PYPROJECT = ROOT / "pyproject.toml"


def dev_tools(pyproject: Path = PYPROJECT) -> set[str]:
    """The names of pyproject.toml's ``dev`` extra: tools of the course's developers, not students'."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    extra = tomllib.loads(pyproject.read_text())["project"]["optional-dependencies"]["dev"]
    return {re.split(r"[<>=!~ ;\[]", spec, maxsplit=1)[0].lower() for spec in extra}


def student_requirements(lock: Path = LOCK) -> tuple[list[str], str]:
    """What a student installs: the lock's pins without the dev tools, and the Python version the
    lock was resolved on (its header says "Resolved on Python X.Y.Z"). Point ``lock`` at another
    lock to release for another Python."""
    text = lock.read_text()
    found = re.search(r"Resolved on Python (\d+\.\d+)", text)
    if not found:
        raise ValueError(f"{lock} does not say which Python it was resolved on")
    skip = dev_tools()
    pins = [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#") and line.split("==")[0].strip().lower() not in skip
    ]
    return pins, found.group(1)


def write_student_environment(dest: Path, requirements: tuple[list[str], str] | None = None) -> None:
    """requirements.txt and environment.yml for students, in ``dest`` (the two commands of docs/students.md)."""
    pins, python = requirements or student_requirements()
    header = (
        "# The environment of the two_layer_net exercise: the versions the course tests.\n"
        "#   python -m venv .venv && .venv/bin/python -m pip install -r requirements.txt\n"
        "#   .venv/bin/python -m twolayer.jupyter_setup && .venv/bin/jupyter lab two_layer_net.ipynb\n"
        f"# Made by `make release` from the course's lock (Python {python}); do not edit.\n"
    )
    requirements_txt, environment_yml = STUDENT_ENVIRONMENT
    (dest / requirements_txt).write_text(header + "\n".join(pins) + "\n")
    (dest / environment_yml).write_text(
        "# The environment of the two_layer_net exercise, for conda (the same versions as requirements.txt):\n"
        "#   conda env create -f environment.yml && conda activate two-layer-net-student\n"
        "#   python -m twolayer.jupyter_setup && jupyter lab two_layer_net.ipynb\n"
        "# Made by `make release`; do not edit.\n"
        "name: two-layer-net-student\n"
        "channels:\n  - conda-forge\n"
        f"dependencies:\n  - python={python}\n  - pip\n  - pip:\n      - -r requirements.txt\n"
    )


def generate(dest: Path, source: Path = SOURCE) -> Path:
    """Write the student version of ``source`` into ``dest`` (created; must not exist).

    Args:
        dest: the folder to create.
        source: the assignment's source folder (the notebook and its helper files).

    Returns:
        ``dest``.

    Raises:
        NbgraderError: nbgrader generate_assignment failed.
    """
    dest = Path(dest)
    unexpected = left_out(source)
    if unexpected:
        shown = ", ".join(str(p) for p in unexpected[:10]) + (
            f" and {len(unexpected) - 10} more" if len(unexpected) > 10 else ""
        )
        print(
            f"left out of the release (not on its allow-list, autograder.nbgrader.course.RELEASE_ALLOW): {shown}",
            file=sys.stderr,
        )
    with tempfile.TemporaryDirectory(prefix="two-layer-net-release-") as tmp:
        course = Course(Path(tmp) / "course").create(source)
        dest.mkdir(parents=True)
        copy_assignment(course.release_notebook.parent, dest)
    write_student_environment(dest)
    return dest


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
    group.add_argument(
        "--check", action="store_true", help="only compare release/ with a fresh build; exit 1 if they differ"
    )
    group.add_argument("--dest", type=Path, help="write the student version into this new folder")
    args = parser.parse_args(argv)
    try:
        if args.check:
            with tempfile.TemporaryDirectory() as tmp:
                problems = differences(generate(Path(tmp) / ASSIGNMENT), RELEASE)
            if problems:
                print(
                    f"{RELEASE.relative_to(ROOT)} is out of date with source/ (run `make release`):",
                    *problems,
                    sep="\n  ",
                    file=sys.stderr,
                )
                return 1
            print(f"{RELEASE.relative_to(ROOT)} is up to date.")
        elif args.dest:
            print(f"Student version written to {generate(args.dest)}.")
        else:
            print(f"Regenerated {replace_release().relative_to(ROOT)}.")
    except (NbgraderError, FileExistsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
