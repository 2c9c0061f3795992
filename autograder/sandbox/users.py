"""A user of its own for each sandboxed process, where the grader runs as root.

Where no control group caps processes (a cgroup v2 host without a delegated subtree, a container),
``RLIMIT_NPROC`` still does, but only for a user other than root, and it counts every process and
thread of that user. So each sandboxed process runs as a user of its own, leased from a range of
unused uids (:data:`ENV`, default :data:`DEFAULT_RANGE`): its limit is its own, its processes are
exactly that user's (found and killed by uid, even without a PID namespace), and it has no right
over the grader, the course or other submissions beyond what any user has.

``setpriv`` (util-linux) changes the user just before Python starts: inside bubblewrap (which sets
up the sandbox as root, then runs ``setpriv``), or right after the grader's fork without it. A
lease is a lock on a file: held by the grader process while the sandbox lives, let go by the
kernel when that process dies, and the next lease of the uid kills what a dead holder left.
"""

from __future__ import annotations

import fcntl
import functools
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from .policy import SandboxUnavailable

ENV = "AUTOGRADER_SANDBOX_UIDS"
NOBODY = 65534  # the user inside bubblewrap's user namespace
DEFAULT_RANGE = "2046820352-2046820479"  # 0x7A000000 + 128: above every range systemd hands out


class NoSandboxUser(SandboxUnavailable):
    """No user of its own can be had for a sandboxed process: the grader's failure."""

    def __init__(self, reason: str):
        super().__init__(reason, f"free uids of the range {ENV}, or give the grader a control group (docs/security.md)")


@functools.lru_cache(maxsize=1)
def setpriv() -> str | None:
    return shutil.which("setpriv")


def available() -> tuple[bool, str]:
    """Whether sandboxed processes can run as users of their own here: (True, "") or (False, why)."""
    if os.geteuid() != 0:
        return False, "the grader does not run as root"
    if setpriv() is None:
        return False, "setpriv (util-linux) is missing"
    return True, ""


def uid_range() -> range:
    first, _, last = os.environ.get(ENV, DEFAULT_RANGE).partition("-")
    return range(int(first), int(last or first) + 1)


def _lock_dir() -> Path:
    """A folder only root may write, shared by every grader on the machine."""
    base = Path("/run/lock") if os.access("/run/lock", os.W_OK) else Path(tempfile.gettempdir())
    folder = base / "tln-sandbox-users"
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        pass
    info = os.lstat(folder)
    if not os.path.isdir(folder) or os.path.islink(folder) or info.st_uid != 0 or info.st_mode & 0o022:
        raise NoSandboxUser(f"{folder} is not a folder that only root can write: remove it")
    return folder


class SandboxUser:
    """A uid leased for one sandboxed process (and all it starts)."""

    def __init__(self, uid: int, lock_fd: int):
        self.uid, self._lock_fd = uid, lock_fd

    @property
    def lease_fd(self) -> int:
        """The lease's lock: a process that holds a copy of it keeps the uid leased (the watchdog)."""
        return self._lock_fd

    @classmethod
    def lease(cls) -> SandboxUser:
        folder = _lock_dir()
        for uid in uid_range():
            fd = os.open(folder / str(uid), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            kill_user(uid)  # whatever a holder that died left behind
            if tasks_of(uid):  # zombies no one reaps yet: they would count against its limit
                os.close(fd)
                continue
            return cls(uid, fd)
        raise NoSandboxUser(f"all {len(uid_range())} sandbox users ({ENV}) are in use")

    def command(self) -> list[str]:
        """``setpriv ...  --``: what runs the rest of a command as this user, with no supplementary
        groups, no way to gain privileges back (``--nnp``) and killed when its parent dies."""
        return [
            setpriv() or "setpriv",
            f"--reuid={self.uid}",
            f"--regid={self.uid}",
            "--clear-groups",
            "--nnp",
            "--pdeathsig=KILL",
            "--",
        ]

    def give(self, folder: Path) -> None:
        """Make ``folder`` and what is in it this user's (links are not followed)."""
        chown_tree(folder, self.uid, self.uid)

    def tasks(self) -> int:
        return len(tasks_of(self.uid))

    def kill_all(self) -> None:
        kill_user(self.uid)

    def release(self) -> None:
        """Kill what is left of it and let the uid go."""
        if self._lock_fd >= 0:
            kill_user(self.uid)
            os.close(self._lock_fd)
            self._lock_fd = -1


def reachable(folder: Path) -> bool:
    """Whether a sandbox user reaches ``folder`` by its path (it needs that without bubblewrap):
    every folder above it searchable by others (the folder itself becomes the user's)."""
    return all(os.stat(parent).st_mode & 0o001 for parent in Path(folder).resolve().parents)


def tempdir() -> str:
    """Where sandbox users' folders go: the temporary folder, or /tmp when a user of its own could
    not reach that one (a private $TMPDIR)."""
    base = tempfile.gettempdir()
    return base if reachable(Path(base) / "x") else "/tmp"


def reap(uid: int) -> bool:
    """Kill what a sandbox user left, if no grader holds it any more (its holder was killed);
    whether it was free to reap."""
    try:
        fd = os.open(_lock_dir() / str(uid), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    except (OSError, NoSandboxUser):
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        kill_user(uid)
        return True
    except BlockingIOError:
        return False  # leased again: what runs as it now is someone else's
    finally:
        os.close(fd)


def chown_tree(folder: Path, uid: int, gid: int) -> None:
    os.chown(folder, uid, gid, follow_symlinks=False)
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in dirnames + filenames:
            try:
                os.chown(os.path.join(dirpath, name), uid, gid, follow_symlinks=False)
            except OSError:
                pass


def tasks_of(uid: int, zombies: bool = True) -> list[int]:
    """The processes (pids) and threads of real user ``uid``: as many entries as it has tasks
    (a zombie counts until it is reaped, as it does for RLIMIT_NPROC). Read from
    /proc/<pid>/status, which shows the real uid even of a process that made itself undumpable
    (and so hid the owner of its /proc folder)."""
    out: list[int] = []
    wanted = f"\nUid:\t{uid}\t".encode()
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status", "rb") as f:
                status = f.read()
        except OSError:
            continue
        if wanted not in status or (not zombies and b"\nState:\tZ" in status):
            continue
        start = status.find(b"\nThreads:\t") + 10
        out += [int(name)] * int(status[start : status.index(b"\n", start)] or 1)
    return out


def kill_user(uid: int, wait: float = 5.0) -> None:
    """SIGKILL every process of ``uid`` until none is left (at most ``wait`` seconds): those a
    fork bomb starts while they are being killed are found on the next pass. The dead are reaped
    where they are this process's children (orphans come to it: :func:`adopt_orphans`), since a
    zombie still counts against RLIMIT_NPROC."""
    deadline = time.monotonic() + wait
    while True:
        pids = set(tasks_of(uid))
        if pids:
            _kill_everything_as(uid)
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
        if not pids or time.monotonic() > deadline:
            return
        time.sleep(0.02)


def _kill_everything_as(uid: int) -> None:
    """``kill(-1, SIGKILL)`` from a process of ``uid``: the kernel signals all of the user's
    processes in one pass over its task list, under the lock that fork takes, so a fork bomb cannot
    outrun it as it can outrun a pass over /proc (under load its children were seen to outlive five
    seconds of those). The caller is the one process of the user it spares; it exits at once."""
    try:
        subprocess.run(
            ["/bin/sh", "-c", "kill -9 -1"],
            user=uid,
            group=uid,
            extra_groups=[],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        pass  # the pass over /proc below still runs


@functools.lru_cache(maxsize=1)
def adopt_orphans() -> bool:
    """Make this process the reaper of its descendants' orphans (PR_SET_CHILD_SUBREAPER), once.
    What a student's process leaves behind (without a PID namespace, or when the namespace's own
    init is killed) would otherwise go to the machine's init, which may reap it late or never (a
    container's first process), and a zombie of a sandbox user counts against its RLIMIT_NPROC."""
    import ctypes

    return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0
