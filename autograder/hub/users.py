"""The hub's Unix users and groups: one user per person (``tln-<name>``), the groups ``tln-staff``
and ``tln-students``; made with the system's own tools (useradd, groupadd), never by hand.

Every user made here carries the comment MARK, and every group the prefix: `hub_users` and
`remove` touch only those, so a machine's own ``tln-...`` user (were there one) is left alone.
The users cannot log in to the machine (no password, shell nologin): the hub checks passwords
itself (`passwords`), and LocalProcessSpawner only switches to their uid.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from autograder.course.names import ASSIGNMENT

from .layout import PREFIX, STAFF_GROUP, STUDENT_GROUP
from .people import Person

MARK = f"{ASSIGNMENT} hub user"
NOLOGIN = next((p for p in ("/usr/sbin/nologin", "/sbin/nologin") if os.path.exists(p)), "/bin/false")


def _run(*command: str) -> None:
    done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"`{' '.join(command)}` failed (exit {done.returncode}): {done.stderr.strip()}")


def group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True


def user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def ensure_groups() -> None:
    for group in (STAFF_GROUP, STUDENT_GROUP):
        if not group_exists(group):
            _run("groupadd", "--system", group)


def ensure_user(person: Person, home: Path) -> pwd.struct_passwd:
    """The person's Unix user (made if missing), its group memberships, and its home (0700)."""
    name = person.unix
    group = STAFF_GROUP if person.staff else STUDENT_GROUP
    if not user_exists(name):
        _run("useradd", "--comment", MARK, "--home-dir", str(home), "--no-create-home", "--shell", NOLOGIN,
             "--user-group", "--groups", group, name)  # fmt: skip
    elif pwd.getpwnam(name).pw_gecos != MARK:
        raise RuntimeError(f"the Unix user {name} exists but was not made by the hub ({MARK!r}): rename or remove it")
    else:  # a role may have changed (a student who became a TA): set the groups afresh
        _run("usermod", "--groups", group, name)
    entry = pwd.getpwnam(name)
    home.mkdir(parents=True, exist_ok=True)
    os.chown(home, entry.pw_uid, entry.pw_gid)
    os.chmod(home, 0o700)
    return entry


def hub_users() -> list[str]:
    """The Unix users the hub made (prefix and MARK)."""
    return sorted(p.pw_name for p in pwd.getpwall() if p.pw_name.startswith(PREFIX) and p.pw_gecos == MARK)


def hub_groups() -> list[str]:
    return sorted(g.gr_name for g in grp.getgrall() if g.gr_name.startswith(PREFIX))


def stop_processes(names: Iterable[str]) -> None:
    """Kill whatever still runs as these users (a server left behind): userdel refuses otherwise."""
    for name in names:
        subprocess.run(["pkill", "-KILL", "-u", name], stdin=subprocess.DEVNULL, capture_output=True)


def remove(*, homes: bool = False) -> list[str]:
    """Remove every user and group the hub made (and, with ``homes``, their home folders)."""
    users = hub_users()
    stop_processes(users)
    removed = []
    for name in users:
        home = pwd.getpwnam(name).pw_dir
        _run("userdel", name)
        if homes and home and os.path.basename(home) == name:
            shutil.rmtree(home, ignore_errors=True)
        removed.append(name)
    for group in hub_groups():
        _run("groupdel", group)
        removed.append(group)
    return removed
