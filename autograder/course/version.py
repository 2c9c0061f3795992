"""The grader's version, as results.json records it: the package version and the commit."""

from __future__ import annotations

import subprocess
from functools import lru_cache
from importlib import metadata

from autograder.course.reference import PACKAGES

#: Written into the bundle by ``bundle.py`` (the zip has no .git to ask). The grader's commit is
#: that of the checkout its code is in (PACKAGES), not of the course folder it grades for.
COMMIT_FILE = PACKAGES / "GRADER_COMMIT"


def commit() -> str:
    """The commit the grader was built from ("+dirty" when the work tree had changes), or ""."""
    if COMMIT_FILE.is_file():
        return COMMIT_FILE.read_text().strip()
    try:
        rev = subprocess.run(
            ["git", "-C", str(PACKAGES), "describe", "--always", "--dirty=+dirty", "--abbrev=12"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return rev.stdout.strip()


@lru_cache(maxsize=1)
def grader_version() -> str:
    try:
        version = metadata.version("two-layer-net-course")
    except metadata.PackageNotFoundError:
        version = "unknown"
    rev = commit()
    return f"{version} ({rev})" if rev else version
