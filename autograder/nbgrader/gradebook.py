"""Whether a course folder's nbgrader gradebook knows the assignment yet, and what to tell a TA
whose nbgrader command needs it.

nbgrader records an assignment (its notebook, grade cells and points) in ``gradebook.db`` only
when ``nbgrader generate_assignment`` runs in that course folder. A fresh clone has ``release/``
already (it is committed) but no gradebook, so ``nbgrader autograde two_layer_net`` would fail for
every student with "No assignment with ID 'two_layer_net' exists in the database".
``nbgrader_config.py`` calls `stop_if_unregistered`, so that such a command stops at once and says
what to run instead of failing student by student;
``Course.register`` (``make register``, ``make autograde``) records the assignment.

Light on purpose (sqlite3 and pathlib only): every nbgrader command imports it.
"""

from __future__ import annotations

import sqlite3
import sys
from contextlib import closing
from pathlib import Path

from autograder.course.names import ASSIGNMENT, NOTEBOOK

#: The nbgrader commands that fail while the gradebook lacks the assignment (release_assignment,
#: collect and release_feedback work on folders only).
NEEDS_ASSIGNMENT = ("autograde", "generate_feedback")


def registered(root: Path) -> bool:
    """Whether ``root``/gradebook.db holds the assignment and its notebook (what autograde needs)."""
    db = Path(root) / "gradebook.db"
    if not db.is_file():
        return False
    query = (
        "SELECT COUNT(*) FROM notebook JOIN assignment ON notebook.assignment_id = assignment.id "
        "WHERE assignment.name = ? AND notebook.name = ?"
    )
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as con:
            (count,) = con.execute(query, (ASSIGNMENT, NOTEBOOK)).fetchone()
    except sqlite3.Error:  # an empty or foreign file: nbgrader will say more
        return False
    return count > 0


def course_root(argv: list[str], default: Path) -> Path:
    """The course folder an nbgrader command line works on (``--CourseDirectory.root`` wins)."""
    for arg in argv:
        if arg.startswith("--CourseDirectory.root="):
            return Path(arg.split("=", 1)[1])
    return Path(default)


def warning_for(argv: list[str], default_root: Path) -> str | None:
    """What to print before an nbgrader command that needs the assignment in a gradebook that
    lacks it; None when the command needs nothing or the gradebook is ready."""
    words = [arg for arg in argv[1:] if not arg.startswith("-")]
    command = words[0] if words else None
    assignment = words[1] if len(words) > 1 else ASSIGNMENT  # nbgrader <command> [assignment] ...
    if command not in NEEDS_ASSIGNMENT or assignment != ASSIGNMENT:  # another assignment: not ours to check
        return None
    root = course_root(argv, default_root)
    if registered(root):
        return None
    return (
        f"The gradebook of {root} does not know the assignment '{ASSIGNMENT}' yet (a fresh clone has "
        f"release/ but no gradebook.db): `nbgrader {command}` would fail for every student.\n"
        f"Run first, in {root}:\n"
        "    make register      (records the assignment, its grade cells and points; release/ is left as is)\n"
        "or  make autograde     (registers if needed, then autogrades submitted/ with both graders)"
    )


def stop_if_unregistered(argv: list[str], default_root: Path) -> None:
    """Exit with `warning_for`'s message, if there is one (nbgrader_config.py: nbgrader reads its
    configuration before doing anything, so the command stops there)."""
    message = warning_for(argv, default_root)
    if message:
        print(f"\n{message}\n", file=sys.stderr)
        raise SystemExit(1)
