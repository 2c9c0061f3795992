"""Regenerate the student version, release/two_layer_net, from source/two_layer_net.

    python tools/generate_release.py            # replace release/two_layer_net (what `make release` runs)
    python tools/generate_release.py --check    # exit 1 if release/ is not what source/ gives now
    python tools/generate_release.py --dest DIR # write the student version into DIR instead

It runs the real ``nbgrader generate_assignment two_layer_net --force`` in a throwaway course
folder (``autograder.course.Course``: a copy of source/two_layer_net and of the course's
nbgrader_config.py, nothing else), so the checkout's gradebook and any personal Jupyter
configuration play no part, and the output depends on source/ and nbgrader_config.py alone:
run twice, it gives the same bytes.
nbgrader replaces the solution regions with the configured stub, removes the hidden tests and
every output; caches, installed datasets and saved models (``*.npz``) are left out
(``autograder.course.release_files``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from autograder.course import ASSIGNMENT, SOURCE, Course, NbgraderError, copy_assignment, differences

ROOT = Path(__file__).resolve().parent.parent
RELEASE = ROOT / "release" / ASSIGNMENT


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
    with tempfile.TemporaryDirectory(prefix="two-layer-net-release-") as tmp:
        course = Course(Path(tmp) / "course").create(source)
        dest.mkdir(parents=True)
        copy_assignment(course.release_notebook.parent, dest)
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
