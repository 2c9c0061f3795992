"""What kills a sandbox's processes when the grader that started it dies without cleaning up
(SIGKILL, an OOM kill, a CI limit), on hosts where no PID namespace does it.

In bubblewrap, the sandbox dies with its parent (``--die-with-parent`` and its own PID namespace).
Without bubblewrap (Landlock), what student code forked would outlive a killed grader; so each
sandboxed process gets a watchdog, a small process outside the sandbox and in a session of its own:

    python -I -m autograder.sandbox.watchdog PID START [--cgroup DIR]... [--uid UID]

It waits for end of file on its standard input, a pipe whose other end only the grader holds:
the grader closing it (its own clean-up) and the grader dying (the kernel closes it) look the
same. Then it kills process PID (if it is still the one that started at START), everything in the
control groups and everything of the sandbox's own user, removes the groups, and exits. It holds
the user's lease until then, so that the uid is not handed to another sandbox before it is clean.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

PR_SET_PDEATHSIG = 1


def die_with_parent(signum: int = signal.SIGKILL) -> bool:
    """Have the kernel send this process ``signum`` when its parent dies (SIGKILL included), so
    that no part of a grading outlives the command that started it; False where the parent is
    already gone (the caller must not start)."""
    import ctypes

    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signum)
    except (OSError, AttributeError):  # not Linux
        return True
    return os.getppid() == parent and parent != 1


def start_time(pid: int) -> str:
    """The start of process ``pid`` in clock ticks since boot ("" when it is gone): with the pid,
    what tells a process from a later one that reused its number."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[1].split()[19]


def start(
    pid: int, cgroups: list[Path], uid: int | None, keep_fds: tuple[int, ...] = ()
) -> tuple[subprocess.Popen, int]:
    """Start the watchdog of process ``pid``; returns it and the pipe's end to close when the
    sandbox is cleaned up (closing it, or dying, sets the watchdog off)."""
    read, write = os.pipe()
    args = [sys.executable, "-I", "-m", __name__, str(pid), start_time(pid) or "0"]
    args += [a for d in cgroups for a in ("--cgroup", str(d))]
    if uid is not None:
        args += ["--uid", str(uid)]
    try:
        proc = subprocess.Popen(
            args,
            stdin=read,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=keep_fds,
            start_new_session=True,  # not in the grader's process group: a Ctrl-C there must not stop it first
        )
    finally:
        os.close(read)
    return proc, write


def clean_up(pid: int, started: str, cgroups: list[Path], uid: int | None) -> None:
    """Kill what is left of the sandbox of process ``pid``."""
    from . import cgroups as groups
    from . import users

    if started and start_time(pid) == started:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    if cgroups:
        groups.remove_cgroups(cgroups)
    if uid is not None:
        users.kill_user(uid)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -I -m {__name__}", description=__doc__.split("\n\n")[0])
    parser.add_argument("pid", type=int)
    parser.add_argument("start")
    parser.add_argument("--cgroup", action="append", type=Path, default=[])
    parser.add_argument("--uid", type=int)
    args = parser.parse_args(argv)
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)  # only the pipe says when
    while os.read(0, 4096):
        pass
    clean_up(args.pid, args.start if args.start != "0" else "", args.cgroup, args.uid)
    return 0


if __name__ == "__main__":
    sys.exit(main())
