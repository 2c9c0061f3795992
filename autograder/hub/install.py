"""Laying the hub out (what `make hub` does before it starts JupyterHub; idempotent).

1. the folders of `layout`, with their owners and modes;
2. the Unix users and groups (`users`), a first password for each new person (`passwords`);
3. the course folder: the assignment's source and release from this repository, the course's
   nbgrader_config.py with the hub's settings on top, the assignment recorded in the gradebook
   (`autograder.nbgrader.course.Course.register`) and the roster's students in it;
4. the exchange: ``nbgrader release_assignment`` (once; ``--force`` by hand to release again),
   which sets the modes nbgrader documents (inbound writable but not listable by students);
5. each role's Jupyter settings (`spawner` points each server at its role's).
"""

from __future__ import annotations

import grp
import json
import os
import shutil
import sys
from pathlib import Path

from autograder.course.reference import REPO
from autograder.course.release import SOURCE, copy_assignment
from autograder.nbgrader.course import CONFIG, Course
from twolayer.jupyter_setup import INSTRUCTOR_PLUGINS, INSTRUCTOR_SERVER_EXTENSIONS

from . import passwords, users
from .layout import ASSIGNMENT, COURSE_ID, STAFF_GROUP, HubLayout, unreachable_ancestors
from .people import People

#: nbgrader submit leaves out files larger than this (kB, nbgrader's unit) and refuses an assignment
#: folder larger than MAX_DIR_KB, each with a message: a 500 MB upload never reaches the exchange.
MAX_FILE_KB = 50_000
MAX_DIR_KB = 100_000
NBGRADER_EXTENSIONS = (
    "nbgrader.server_extensions.assignment_list",
    "nbgrader.server_extensions.course_list",
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.validate_assignment",
)

HUB_NBGRADER_CONFIG = '''"""Written by `make hub` (autograder/hub/install.py): the course's settings, then the hub's."""

c = get_config()  # noqa: F821
try:
    # The course's own settings (a copy of the repository's nbgrader_config.py: its sandboxed kernel,
    # late policy, feedback preprocessors). They import the repository's autograder, which only root
    # can read on the hub: a TA's formgrader, manual grading and export need none of it (the grading
    # service grades, as root), so for them these settings are left out.
    load_subconfig("course_nbgrader_config.py")  # noqa: F821
except OSError:
    pass
c.CourseDirectory.root = {course!r}
c.CourseDirectory.course_id = {course_id!r}
c.Exchange.root = {exchange!r}
# An instructor team shares this folder through the group {group}: nbgrader keeps its files group-writable.
c.CourseDirectory.groupshared = True
'''

STUDENT_NBGRADER_CONFIG = '''"""Written by `make hub` (autograder/hub/install.py): what a student's nbgrader needs."""

import os

c = get_config()  # noqa: F821
# nbgrader would name submissions after the Unix user (tln-<name>); the course knows each student by
# their hub name. A student who changes it submits in another's name in vain: the grading service
# takes a submission only from the Unix user of the student it names.
c.CourseDirectory.student_id = os.environ.get("JUPYTERHUB_USER", "*")
c.CourseDirectory.course_id = {course!r}
c.Exchange.root = {exchange!r}
c.CourseDirectory.max_file_size = {max_file}
c.CourseDirectory.max_dir_size = {max_dir}
'''

STAFF_NBGRADER_CONFIG = '''"""Written by `make hub` (autograder/hub/install.py): the course folder's settings."""

c = get_config()  # noqa: F821
load_subconfig("nbgrader_config.py", path={course!r})  # noqa: F821
'''


class HubSetupError(RuntimeError):
    """The hub cannot be laid out here; the message says what to do."""


def readable_by_others(path: Path) -> bool:
    """Whether a user other than its owner and group can read the file at ``path``."""
    return not unreachable_ancestors(path) and bool(os.stat(path).st_mode & 0o004)


def check_host(layout: HubLayout) -> None:
    if os.geteuid() != 0:
        raise HubSetupError("the hub runs each user's JupyterLab as their own Unix user: run it as root")
    reference = SOURCE / f"{ASSIGNMENT}.ipynb"
    if readable_by_others(reference):
        raise HubSetupError(
            f"every user of this machine can read the reference solution ({reference}): the hub's students "
            f"would too. Close the repository to others first: chmod o-rwx {REPO}"
        )
    pythons = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.executable).resolve().parent}
    for what, path in [("the hub's folder", layout.root), *(("the hub's Python", p) for p in sorted(pythons))]:
        blocked = unreachable_ancestors(path)
        if blocked:
            raise HubSetupError(
                f"{what} ({path}) is under {blocked[0]}, which other users cannot enter: the students' "
                f"servers could not reach it. `chmod o+x {blocked[0]}`, or choose HUB_DIR elsewhere (for the "
                "Python: `make hub-setup` makes the hub's venv from one every user can run, tools/hub_python.py)"
            )


def _folder(path: Path, mode: int, group: str | None = None) -> None:
    path.mkdir(parents=True, exist_ok=True)
    if group:
        os.chown(path, 0, grp.getgrnam(group).gr_gid)
    os.chmod(path, mode)


def lay_out(layout: HubLayout) -> None:
    _folder(layout.root, 0o755)
    _folder(layout.jupyterhub, 0o700)
    _folder(layout.homes, 0o755)
    _folder(layout.service, 0o711)  # graded copies are reached by the sandbox's own user
    _folder(layout.scratch, 0o711)
    for role in ("student", "staff"):
        _folder(layout.config(role), 0o755)
    _folder(layout.course, 0o2770, STAFF_GROUP)
    _folder(layout.exchange, 0o2777, STAFF_GROUP)


#: JupyterLab's "get notified about official Jupyter news?" toast: the hub's machine fetches no news.
NOTIFICATION_SETTINGS = Path("@jupyterlab/apputils-extension/notification.jupyterlab-settings")


def quiet_news(home: Path, uid: int, gid: int) -> None:
    """A new user's JupyterLab settings: no news toast (their own file, which they may change)."""
    path = home / ".jupyter" / "lab" / "user-settings" / NOTIFICATION_SETTINGS
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    for made in [path, *path.parents]:
        if made == home:
            break
        os.chown(made, uid, gid)


def make_users(layout: HubLayout, people: People) -> list[str]:
    """The Unix users, and a first password for each person who has none; returns their names."""
    for person in people:
        entry = users.ensure_user(person, layout.home(person.unix))
        quiet_news(Path(entry.pw_dir), entry.pw_uid, entry.pw_gid)
    known = passwords.read(layout.passwords)
    new = {p.name: passwords.new_password() for p in people if p.name not in known}
    if new:
        passwords.write(layout.passwords, {**known, **{n: passwords.hash_password(pw) for n, pw in new.items()}})
        fd = os.open(layout.handout, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a") as f:
            f.writelines(f"{name}\t{pw}\n" for name, pw in new.items())
    return sorted(new)


def make_course(layout: HubLayout, people: People) -> Course:
    course_dir = layout.course
    copy_assignment(SOURCE, course_dir / "source" / ASSIGNMENT)
    shutil.copytree(REPO / "release" / ASSIGNMENT, course_dir / "release" / ASSIGNMENT, dirs_exist_ok=True)
    shutil.copyfile(CONFIG, course_dir / "course_nbgrader_config.py")
    (course_dir / "nbgrader_config.py").write_text(
        HUB_NBGRADER_CONFIG.format(
            course=str(course_dir), course_id=COURSE_ID, exchange=str(layout.exchange), group=STAFF_GROUP
        )
    )
    course = Course(course_dir, cell_timeout=None)
    if not course.registered:
        course.register()
    from nbgrader.api import Gradebook

    with Gradebook(layout.gradebook_url) as gb:
        for p in people.students:
            gb.update_or_create_student(p.name, first_name=p.first_name, last_name=p.last_name, email=p.email)
    if not (layout.exchange / COURSE_ID / "outbound" / ASSIGNMENT).is_dir():
        course.nbgrader("release_assignment", ASSIGNMENT)
    # Where the service releases feedback, with the mode `nbgrader release_feedback` gives it in a
    # group-shared course: students may enter but not list it (they find their page by its name).
    _folder(layout.outbound_feedback, 0o2771, STAFF_GROUP)
    staff = grp.getgrnam(STAFF_GROUP).gr_gid
    for path in [course_dir, *course_dir.rglob("*")]:  # the staff's, group-writable where nbgrader writes
        if not path.is_symlink():
            os.chown(path, -1, staff)
            os.chmod(path, path.stat().st_mode | (0o2070 if path.is_dir() else 0o060))
    return course


def write_settings(layout: HubLayout) -> None:
    """Each role's Jupyter settings: which server extensions and JupyterLab plugins, nbgrader's config."""
    roles = {
        "student": ({e: e not in INSTRUCTOR_SERVER_EXTENSIONS for e in NBGRADER_EXTENSIONS}, INSTRUCTOR_PLUGINS),
        "staff": ({e: True for e in NBGRADER_EXTENSIONS}, ()),
    }
    for role, (extensions, disabled) in roles.items():
        folder = layout.config(role)
        server = {"jpserver_extensions": extensions}
        if role == "staff":  # JupyterLab shows formgrader in an iframe of the same origin; JupyterHub's
            # single-user servers forbid every frame by default (frame-ancestors 'none')
            server["tornado_settings"] = {"headers": {"Content-Security-Policy": "frame-ancestors 'self'"}}
        (folder / "jupyter_server_config.json").write_text(json.dumps({"ServerApp": server}, indent=1))
        # jupyter_core writes this marker into the config folder at a user's first start (a migration
        # from IPython 3), which fails in a folder the users cannot write: there is nothing to migrate.
        (folder / "migrated").touch()
        (folder / "labconfig").mkdir(exist_ok=True)
        (folder / "labconfig" / "page_config.json").write_text(
            json.dumps({"disabledExtensions": {p: True for p in disabled}}, indent=1)
        )
    (layout.config("student") / "nbgrader_config.py").write_text(
        STUDENT_NBGRADER_CONFIG.format(
            course=COURSE_ID, exchange=str(layout.exchange), max_file=MAX_FILE_KB, max_dir=MAX_DIR_KB
        )
    )
    (layout.config("staff") / "nbgrader_config.py").write_text(STAFF_NBGRADER_CONFIG.format(course=str(layout.course)))
    for path in layout.root.joinpath("config").rglob("*"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)


def install(layout: HubLayout, people: People) -> list[str]:
    """Everything above; returns the people given a first password now."""
    check_host(layout)
    users.ensure_groups()  # the folders' group
    lay_out(layout)
    new = make_users(layout, people)
    make_course(layout, people)
    write_settings(layout)
    return new
