"""Which containment mechanisms student code gets here, established once per grader process by
the rule of :mod:`.policy` (fail closed), and what the grader says about them at start-up.

=======================  ======================================================================
isolation                bubblewrap (namespaces); Landlock (files; TCP, signals by ABI); or
                         none, only where the instructor chose it (``AUTOGRADER_SANDBOX=none``)
processes and threads    a control group (cgroup v1, cgroup v2, a systemd scope); else
                         RLIMIT_NPROC of a user of its own (root only)
memory                   RLIMIT_AS per process; a control group's limit for them all
CPU time, output         RLIMIT_CPU, RLIMIT_FSIZE (every host); wall-clock timeouts (grader)
=======================  ======================================================================

:func:`mechanisms` raises :class:`~.policy.SandboxUnavailable` where the containment asked for
cannot be had (nothing is cached then: the next notebook asks again). ``AUTOGRADER_CGROUP=none``
takes the control groups away on purpose (the tests do, to show what still holds).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from . import bwrap, cgroups, landlock, policy, users
from .policy import SandboxUnavailable


@dataclass(frozen=True)
class Mechanisms:
    bwrap: str | None  # a working bubblewrap
    landlock: int  # Landlock ABI (used without bubblewrap), 0: none
    cgroup: cgroups.Flavour | None
    user: bool  # each sandboxed process runs as a user of its own (RLIMIT_NPROC holds)
    root: bool  # the grader runs as root
    why_no_user: str = ""
    mode: policy.Mode = policy.Mode("required", "the default")
    chosen: str = ""  # how the isolation was decided: recorded, established now, or asked for

    @property
    def isolated(self) -> bool:
        """Student code cannot read or write the course (bubblewrap, or Landlock)."""
        return self.bwrap is not None or self.landlock > 0

    @property
    def isolation(self) -> str:
        return "bubblewrap" if self.bwrap else "landlock" if self.landlock else "none"

    @property
    def processes_limited(self) -> bool:
        return self.cgroup is not None or self.user or not self.root

    def summary(self) -> str:
        """One phrase for reports: what contained student code, or that nothing did, on whose word."""
        if self.bwrap:
            return "bubblewrap"
        if self.landlock:
            return f"Landlock (ABI {self.landlock}), without bubblewrap"
        return f"NONE: no sandbox, chosen by {self.mode.source}"

    def describe(self) -> list[str]:
        """One line per kind of protection, as the grader prints them at start-up."""
        if self.bwrap:
            isolation = "bubblewrap (its own view of the file system, no network, its own PIDs)"
        elif self.landlock:
            isolation = f"{landlock.describe(self.landlock)} without bubblewrap: only its folder, the system and Python"
        else:
            isolation = f"NONE, chosen by {self.mode.source}: student code can read and write what the grader can"
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
            f"isolation: {isolation}" + (f" [{self.chosen}]" if self.chosen else ""),
            f"runs as: {runs_as}",
            f"processes and threads: {processes}",
            f"memory: {memory}",
            "CPU time: RLIMIT_CPU per process, and the grader's wall-clock time limits",
            "output and files: RLIMIT_FSIZE",
            "lifetime: nothing outlives the grading (a PID namespace, or a watchdog that kills what is left)",
        ]


_established: Mechanisms | None = None


def mechanisms() -> Mechanisms:
    """The mechanisms of this process's sandboxes, established at the first call that succeeds;
    :class:`SandboxUnavailable` (retried at the next call) where the rule cannot be met."""
    global _established
    if _established is None:
        _established = _establish()
    return _established


def forget() -> None:
    """Establish the mechanisms afresh at the next call (tests that change the environment)."""
    global _established
    _established = None
    cgroups.flavour.cache_clear()
    landlock.abi.cache_clear()


def _establish() -> Mechanisms:
    mode = policy.mode()
    root = os.geteuid() == 0
    cgroup = cgroups.flavour()
    user_ok, why = users.available()
    isolation, chosen = _isolation(mode, cgroup)
    sandbox = bwrap.installed() if isolation == "bubblewrap" else None
    # A user of its own where RLIMIT_NPROC is what limits processes (no control group), and
    # always without bubblewrap: student code must not run as root with nothing around it.
    user = root and user_ok and (cgroup is None or sandbox is None)
    if user and sandbox is not None and bwrap.refusal(sandbox, userns=False):
        # bubblewrap cannot set up a sandbox as root here: keep its user namespace (nobody inside)
        user, why = False, "bubblewrap cannot run as root here"
    found = Mechanisms(
        bwrap=sandbox,
        landlock=landlock.abi() if isolation == "landlock" else 0,
        cgroup=cgroup,
        user=user,
        root=root,
        why_no_user="" if user else why,
        mode=mode,
        chosen=chosen,
    )
    if not found.processes_limited and not mode.opted_out:
        raise SandboxUnavailable(
            f"nothing would limit student code's processes: the grader runs as root with no control group, and {why}",
            "install util-linux's setpriv, give the grader a control group (docs/security.md), or run it "
            "as a user other than root",
        )
    return found


def _isolation(mode: policy.Mode, cgroup: cgroups.Flavour | None) -> tuple[str, str]:
    """The isolation to use and how it was decided, or :class:`SandboxUnavailable`."""
    if mode.name == "none":
        return "none", f"chosen by {mode.source}"
    if mode.name in ("bubblewrap", "landlock"):
        _require(mode.name, f"asked for by {mode.source}")
        return mode.name, f"asked for by {mode.source}"
    record = policy.read_record()
    if record is not None:
        said = policy.describe_record(record)
        _require(record["isolation"], said)
        if record.get("cgroup") and cgroup is None and os.environ.get(cgroups.ENV) != "none":
            raise SandboxUnavailable(
                f"this environment was set up with {record['cgroup']} control groups ({said}) and they "
                "cannot be made now",
                "give the grader back its control groups, or record what the host has now with "
                "`python -m autograder sandbox --record`",
            )
        return record["isolation"], said
    isolation, note = establish()
    path = policy.write_record(isolation, cgroup.kind if cgroup else None, note)
    return isolation, f"established now{f', recorded in {path}' if path else ''}" + (f"; {note}" if note else "")


def establish() -> tuple[str, str]:
    """What this host offers, probed: bubblewrap where it is installed and works, else Landlock;
    and a note on why not bubblewrap. :class:`SandboxUnavailable` where there is neither."""
    path = bwrap.installed()
    refused = bwrap.refusal(path) if path else "bubblewrap (bwrap) is not installed"
    if not refused:
        return "bubblewrap", ""
    if landlock.abi():
        return "landlock", refused
    raise SandboxUnavailable(f"no sandbox can contain student code here: {refused}, and this kernel has no Landlock")


def _require(isolation: str, why: str) -> None:
    """:class:`SandboxUnavailable` unless ``isolation`` works here now (probed three times)."""
    if isolation == "landlock":
        if not landlock.abi():
            raise SandboxUnavailable(f"Landlock is {why}, and this kernel has none (or {landlock.ENV}=none)")
        return
    path = bwrap.installed()
    if path is None:
        raise SandboxUnavailable(f"bubblewrap is {why}, and bwrap is not installed now")
    refused = bwrap.refusal(path)
    if refused:
        raise SandboxUnavailable(
            f"bubblewrap is {why}, and now {refused}",
            "make unprivileged user namespaces available again (sysctl kernel.unprivileged_userns_clone=1, or the "
            "AppArmor profile of bwrap), or record what the host offers now: `python -m autograder sandbox --record`",
        )


def announce(file=None) -> Mechanisms:
    """Print the mechanisms (the grader's start-up message), with a warning where protection is
    missing by choice; :class:`SandboxUnavailable` where the rule cannot be met."""
    m = mechanisms()
    out = file or sys.stderr
    print("containment of student code on this host:", file=out)
    for line in m.describe():
        print(f"  {line}", file=out)
    if m.mode.opted_out:
        print(
            f"WARNING: student code runs WITHOUT a sandbox ({m.mode.source}), with the grader's rights: "
            "every report records it (docs/security.md).",
            file=out,
        )
    out.flush()
    return m
