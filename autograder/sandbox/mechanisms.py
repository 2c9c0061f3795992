"""Which containment mechanisms this host gives student code, decided once per grader process,
and what the grader says about them at start-up.

=======================  ======================================================================
isolation                bubblewrap (namespaces); else Landlock (files; TCP, signals by ABI)
processes and threads    a control group (cgroup v1, cgroup v2, a systemd scope); else
                         RLIMIT_NPROC of a user of its own (root only)
memory                   RLIMIT_AS per process; a control group's limit for them all
CPU time, output         RLIMIT_CPU, RLIMIT_FSIZE (every host); wall-clock timeouts (grader)
=======================  ======================================================================

``AUTOGRADER_SANDBOX=none`` and ``AUTOGRADER_CGROUP=none`` take bubblewrap and the control
groups away on purpose (the tests do, to show what still holds).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

from . import bwrap, cgroups, landlock, users


@dataclass(frozen=True)
class Mechanisms:
    bwrap: str | None  # a working bubblewrap
    landlock: int  # Landlock ABI (used without bubblewrap), 0: none
    cgroup: cgroups.Flavour | None
    user: bool  # each sandboxed process runs as a user of its own (RLIMIT_NPROC holds)
    root: bool  # the grader runs as root
    why_no_user: str = ""

    @property
    def isolated(self) -> bool:
        """Student code cannot read or write the course (bubblewrap, or Landlock)."""
        return self.bwrap is not None or self.landlock > 0

    @property
    def processes_limited(self) -> bool:
        return self.cgroup is not None or self.user or not self.root

    def describe(self) -> list[str]:
        """One line per kind of protection, as the grader prints them at start-up."""
        if self.bwrap:
            isolation = "bubblewrap (its own view of the file system, no network, its own PIDs)"
        elif self.landlock:
            isolation = f"{landlock.describe(self.landlock)} without bubblewrap: only its folder, the system and Python"
        else:
            isolation = "NONE: no bubblewrap and no Landlock, student code can read and write what the grader can"
        if self.user:
            runs_as = f"a user of its own per process (uids {os.environ.get(users.ENV, users.DEFAULT_RANGE)})"
        elif self.bwrap:
            runs_as = "user nobody of its own user namespace"
        else:
            runs_as = f"the grader's own user (uid {os.geteuid()})" + (
                f": {self.why_no_user}" if self.why_no_user else ""
            )
        if self.cgroup is not None:
            processes = f"{self.cgroup.kind} pids limit ({self.cgroup.where})"
            memory = f"{self.cgroup.kind} memory limit, and RLIMIT_AS per process"
        else:
            processes = "RLIMIT_NPROC of its own user" if self.user else "RLIMIT_NPROC of the grader's user"
            if self.root and not self.user:
                processes = f"NOT LIMITED (no control group, and {self.why_no_user})"
            memory = "RLIMIT_AS per process (no control group: not for all of them together)"
        return [
            f"isolation: {isolation}",
            f"runs as: {runs_as}",
            f"processes and threads: {processes}",
            f"memory: {memory}",
            "CPU time: RLIMIT_CPU per process, and the grader's wall-clock time limits",
            "output and files: RLIMIT_FSIZE",
        ]


@functools.lru_cache(maxsize=1)
def mechanisms() -> Mechanisms:
    root = os.geteuid() == 0
    cgroup = cgroups.flavour()
    user_ok, why = users.available()
    sandbox = bwrap.executable(userns=True)
    # A user of its own where RLIMIT_NPROC is what limits processes (no control group), and
    # always without bubblewrap: student code must not run as root with nothing around it.
    user = root and user_ok and (cgroup is None or sandbox is None)
    if user and sandbox is not None:
        sandbox = bwrap.executable(userns=False)
        if sandbox is None:  # bubblewrap cannot set up a sandbox as root here: keep the user namespace
            sandbox, user, why = bwrap.executable(userns=True), False, "bubblewrap cannot run as root here"
    return Mechanisms(
        bwrap=sandbox,
        landlock=landlock.abi() if sandbox is None else 0,
        cgroup=cgroup,
        user=user,
        root=root,
        why_no_user="" if user else why,
    )


def announce(file=None) -> None:
    """Print the mechanisms (the grader's start-up message), with a warning where one is missing."""
    import sys

    m = mechanisms()
    out = file or sys.stderr
    print("containment of student code on this host:", file=out)
    for line in m.describe():
        print(f"  {line}", file=out)
    if not m.isolated or not m.processes_limited:
        print("WARNING: student code is not fully contained here (README: Security).", file=out)
    out.flush()
