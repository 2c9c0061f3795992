"""Watching the exchange's inbound: which submissions are there, and reading one safely.

``nbgrader submit`` copies a student's assignment folder into
``<exchange>/two_layer_net/inbound/<student>+two_layer_net+<timestamp>+<random>/``, writes
``timestamp.txt`` and ``submission_secret.txt`` into it, then opens the folder to everyone
(0777: its random name hides it, the inbound cannot be listed by students). The service runs as
root and reads what students wrote, so everything here assumes a hostile folder:

- the folder and every file read must belong to the student the name claims (a student cannot
  submit as another, nor point the grader at someone else's file);
- files are opened without following links, must be regular files (a FIFO would block, a device
  would be read), and are read up to a limit: a 500 MB notebook is refused, with a message
  saying so, without being read;
- the submission time is when the files last changed (ctime, which no user can set back), not
  ``timestamp.txt``, which the student writes: the late policy cannot be fooled.
"""

from __future__ import annotations

import os
import pwd
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from .layout import ASSIGNMENT, NOTEBOOK
from .people import unix_name

MB = 1024 * 1024
#: The most the grader reads of each file (the solution notebook with its plots is about 1 MB;
#: best_model.npz of a CIFAR-10 search with 500 hidden units is about 12 MB).
LIMITS = {NOTEBOOK: 20 * MB, "best_model.npz": 50 * MB, "timestamp.txt": 200, "submission_secret.txt": 1000}
#: Files the grader needs; the rest of a submission is never read.
REQUIRED = (NOTEBOOK, "submission_secret.txt")
#: A folder is complete when nbgrader opened it (0777, its last step) or nothing changed for this long.
SETTLE_SECONDS = 5.0
NAME = re.compile(rf"^(?P<student>[a-z][a-z0-9_-]*)\+{ASSIGNMENT}\+(?P<timestamp>[^+/]+)(\+(?P<random>[^+/]+))?$")


class Refused(Exception):
    """The submission cannot be graded; the message is for the student."""


@dataclass(frozen=True)
class Files:
    """What the grader takes from a submission: file name -> bytes, and when it was made."""

    data: dict[str, bytes]
    submitted_at: float  # epoch seconds (ctime)
    claimed_timestamp: str  # timestamp.txt, as the student's nbgrader wrote it

    @property
    def secret(self) -> str:
        return self.data["submission_secret.txt"].decode("ascii", "replace").strip()


def student_of(key: str) -> str | None:
    """The student a submission folder's name claims, or None for a name that is not one."""
    m = NAME.match(key)
    return m.group("student") if m else None


def scan(inbound: Path) -> list[str]:
    """The names of the submission folders in ``inbound``, sorted."""
    try:
        return sorted(e.name for e in os.scandir(inbound) if student_of(e.name) is not None)
    except FileNotFoundError:
        return []


def ready(inbound: Path, key: str, now: float) -> bool:
    """Whether nbgrader has finished writing the folder (see SETTLE_SECONDS)."""
    try:
        st = os.lstat(inbound / key)
        secret = os.lstat(inbound / key / "submission_secret.txt")
    except OSError:
        return False
    return stat.S_IMODE(st.st_mode) == 0o777 or now - max(st.st_ctime, secret.st_ctime) > SETTLE_SECONDS


def owner_uid(student: str) -> int:
    try:
        return pwd.getpwnam(unix_name(student)).pw_uid
    except (KeyError, ValueError) as exc:
        raise Refused(f"{student!r} is not a student of this hub") from exc


def _read_one(dir_fd: int, name: str, uid: int) -> tuple[bytes, float] | None:
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dir_fd)
    except FileNotFoundError:
        return None
    except OSError as exc:  # ELOOP: a symbolic link
        raise Refused(f"{name} is not a plain file ({exc.strerror}): submit the file itself") from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Refused(f"{name} is not a plain file: submit the file itself")
        if st.st_uid != uid:
            raise Refused(f"{name} does not belong to you: submit your own files")
        limit = LIMITS[name]
        if st.st_size > limit:
            raise Refused(
                f"{name} is {st.st_size / MB:.1f} MB, more than the {limit / MB:g} MB the grader takes: "
                "clear the notebook's outputs (Edit > Clear Outputs of All Cells), save, and submit again"
            )
        with os.fdopen(os.dup(fd), "rb") as f:
            data = f.read(limit + 1)
        if len(data) > limit:  # it grew after fstat
            raise Refused(f"{name} changed while it was read: submit again")
        return data, st.st_ctime
    finally:
        os.close(fd)


def read(inbound: Path, key: str) -> Files:
    """The files of submission ``key``, checked as the module says; Refused with the reason."""
    student = student_of(key)
    if student is None:
        raise Refused(f"{key!r} is not the name nbgrader gives a submission")
    uid = owner_uid(student)
    try:
        dir_fd = os.open(inbound / key, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as exc:
        raise Refused(f"the submission folder cannot be opened ({exc.strerror})") from exc
    try:
        if os.fstat(dir_fd).st_uid != uid:
            raise Refused(f"the folder {key} was not made by {student}")
        data, times = {}, [os.fstat(dir_fd).st_ctime]
        for name in LIMITS:
            got = _read_one(dir_fd, name, uid)
            if got is not None:
                data[name], ctime = got
                times.append(ctime)
        missing = [n for n in REQUIRED if n not in data]
        if missing:
            raise Refused(f"the submission has no {' and no '.join(missing)}: submit from the Assignments tab")
    finally:
        os.close(dir_fd)
    claimed = data.get("timestamp.txt", b"").decode("utf-8", "replace").strip()
    return Files(data, max(times), claimed)


def secret_of(inbound: Path, key: str) -> str | None:
    """The submission's secret, read as safely but without the owner check: a refusal's message is
    released under it, so only whoever wrote the folder can fetch it."""
    try:
        dir_fd = os.open(inbound / key, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        got = _read_one(dir_fd, "submission_secret.txt", os.fstat(dir_fd).st_uid)
    except Refused:
        return None
    finally:
        os.close(dir_fd)
    return got[0].decode("ascii", "replace").strip() if got else None


def submitted_at(inbound: Path, key: str) -> float:
    """When the submission was last written: the latest ctime of its folder and the files read."""
    times = []
    for path in (inbound / key, *(inbound / key / name for name in LIMITS)):
        try:
            times.append(os.lstat(path).st_ctime)
        except OSError:
            continue
    return max(times, default=0.0)
