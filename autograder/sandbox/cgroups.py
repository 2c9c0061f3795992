"""Control groups: one per sandboxed process, capping the processes and threads (``pids``) and
the memory of it and everything it starts, whatever the user they run as.

Three ways to get one, tried in this order (:func:`flavour`):

- **cgroup v1**: the ``pids`` and ``memory`` hierarchies under ``/sys/fs/cgroup``, writable;
- **cgroup v2, a subtree the grader may manage**: the folder in ``AUTOGRADER_CGROUP`` (one
  delegated to it, e.g. by a systemd unit with ``Delegate=yes``), the root cgroup itself, or the
  parent of the grader's own cgroup when it already hands ``pids`` and ``memory`` down to its
  children (groups are made beside the grader's own, which holds no limit);
- **systemd**, where it runs: ``systemd-run --scope -p TasksMax=... -p MemoryMax=...`` puts the
  process into a transient scope of its own.

``AUTOGRADER_CGROUP=none`` turns them all off (the tests do, to show what holds without them).
Groups are named ``tln-<pid of the process that made them>-<n>``, so that the groups of a
process that was killed can be found (:func:`cgroups_of`) and removed.
"""

from __future__ import annotations

import functools
import itertools
import os
import shutil
import signal
import time
from collections.abc import Sequence
from pathlib import Path

from .limits import Limits

CGROUP_ROOT = Path("/sys/fs/cgroup")
ENV = "AUTOGRADER_CGROUP"
SLICE = "tln.slice"  # systemd: the slice that the scopes go into
_counter = itertools.count()


def _name() -> str:
    return f"tln-{os.getpid()}-{next(_counter)}"


def _write(path: Path, value: str) -> None:
    with open(path, "w") as f:
        f.write(value)


class ControlGroup:
    """The control group of one sandboxed process (made before it starts)."""

    kind = "cgroup"

    def __init__(self) -> None:
        self.dirs: list[Path] = []  # where its processes are listed, first the one that counts them

    def wrap(self, argv: list[str]) -> list[str]:
        """The command that starts ``argv`` in this group (unchanged, but for systemd)."""
        return argv

    def enter(self) -> None:
        """In the child, before exec: move into the group."""
        for d in self.dirs:
            _write(d / "cgroup.procs", str(os.getpid()))

    def tasks(self) -> int | None:
        """Its processes and threads now, or None if it cannot tell."""
        try:
            return int((self.dirs[0] / "pids.current").read_text())
        except (OSError, ValueError, IndexError):
            return None

    def remove(self) -> None:
        """Kill every process left in it and remove it."""
        remove_cgroups(self.dirs)


class V1Group(ControlGroup):
    kind = "cgroup v1"

    def __init__(self, root: Path, limits: Limits):
        super().__init__()
        name = _name()
        for controller, fname, value in (
            ("pids", "pids.max", limits.processes),
            ("memory", "memory.limit_in_bytes", limits.memory_bytes),
        ):
            d = root / controller / name
            try:
                d.mkdir()
            except OSError:
                if controller == "pids":
                    raise
                continue  # no memory hierarchy here: RLIMIT_AS still caps each process
            self.dirs.append(d)
            _write(d / fname, str(value))


class V2Group(ControlGroup):
    kind = "cgroup v2"

    def __init__(self, parent: Path, limits: Limits):
        super().__init__()
        d = parent / _name()
        d.mkdir()
        self.dirs.append(d)
        _write(d / "pids.max", str(limits.processes))
        _write(d / "memory.max", str(limits.memory_bytes))
        try:
            _write(d / "memory.swap.max", "0")  # as v1's limit: memory, not memory plus swap
        except OSError:
            pass  # no swap accounting on this host


class ScopeGroup(ControlGroup):
    """A transient systemd scope: systemd makes the cgroup when ``systemd-run`` starts, and drops
    it when its last process has exited (``--collect``)."""

    kind = "systemd scope"

    def __init__(self, systemd_run: str, user: bool, limits: Limits):
        super().__init__()
        self.systemd_run, self.user, self.limits = systemd_run, user, limits
        self.unit = _name() + ".scope"
        self.pid: int | None = None

    def wrap(self, argv: list[str]) -> list[str]:
        limits = self.limits
        return [
            self.systemd_run,
            *(["--user"] if self.user else []),
            "--scope",
            "--quiet",
            "--collect",
            f"--unit={self.unit}",
            f"--slice={SLICE}",
            "-p",
            f"TasksMax={limits.processes}",
            "-p",
            f"MemoryMax={limits.memory_bytes}",
            "-p",
            "MemorySwapMax=0",
            "--",
            *argv,
        ]

    def enter(self) -> None:
        pass  # systemd-run moves itself into the scope, then executes the command

    def started(self, pid: int) -> None:
        self.pid = pid

    def tasks(self) -> int | None:
        self._find()
        return super().tasks()

    def remove(self) -> None:
        self._find()
        super().remove()

    def _find(self) -> None:
        """The scope's folder, from the process's own /proc entry once systemd has moved it."""
        if self.dirs or self.pid is None:
            return
        try:
            line = next(x for x in Path(f"/proc/{self.pid}/cgroup").read_text().splitlines() if x.startswith("0::"))
        except (OSError, StopIteration):
            return
        if line.endswith("/" + self.unit):
            self.dirs.append(CGROUP_ROOT / line[3:].lstrip("/"))


# --------------------------------------------------------------------------- finding one ---


class Flavour:
    """How this host gives the sandbox its control groups."""

    def __init__(self, kind: str, where: str, make):
        self.kind, self.where, self._make = kind, where, make

    def create(self, limits: Limits) -> ControlGroup:
        return self._make(limits)

    def __repr__(self) -> str:
        return f"{self.kind} ({self.where})"


def v1_flavour(root: Path = CGROUP_ROOT) -> Flavour | None:
    """cgroup v1 with a writable ``pids`` hierarchy (``memory`` too, where it is there)."""
    pids = root / "pids"
    if (pids / "tasks").is_file() and os.access(pids, os.W_OK):
        return Flavour("cgroup v1", str(root), lambda limits: V1Group(root, limits))
    return None


def own_cgroup(root: Path = CGROUP_ROOT, proc_cgroup: str = "/proc/self/cgroup") -> Path | None:
    """This process's cgroup v2 folder (``0::/...`` in /proc/self/cgroup), or None."""
    try:
        lines = Path(proc_cgroup).read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith("0::"):
            return root / line[3:].lstrip("/")
    return None


def _controllers(folder: Path, name: str = "cgroup.controllers") -> set[str]:
    try:
        return set((folder / name).read_text().split())
    except OSError:
        return set()


def v2_parent(parent: Path) -> Path | None:
    """``parent`` if the groups of the sandbox can be made in it: a writable cgroup v2 folder
    that hands ``pids`` and ``memory`` down to its children (enabled here if need be, which
    fails, and rightly, while processes live in it, unless it is the root)."""
    if not os.access(parent, os.W_OK) or not {"pids", "memory"} <= _controllers(parent):
        return None
    missing = {"pids", "memory"} - _controllers(parent, "cgroup.subtree_control")
    if missing:
        try:
            _write(parent / "cgroup.subtree_control", " ".join(f"+{c}" for c in sorted(missing)))
        except OSError:
            return None
    return parent


def v2_flavour(root: Path = CGROUP_ROOT, proc_cgroup: str = "/proc/self/cgroup") -> Flavour | None:
    """cgroup v2: the folder in ``AUTOGRADER_CGROUP``, else the root cgroup when this process is
    in it, else the parent of this process's cgroup (the groups are made beside it)."""
    given = os.environ.get(ENV, "auto")
    if given not in ("auto", "v2", "none", ""):
        candidates = [Path(given)]
    else:
        own = own_cgroup(root, proc_cgroup)
        if own is None or not (root / "cgroup.controllers").is_file():
            return None
        candidates = [own] if own == root else [own.parent]
    for candidate in candidates:
        parent = v2_parent(candidate)
        if parent is not None:
            return Flavour("cgroup v2", str(parent), lambda limits, p=parent: V2Group(p, limits))
    return None


def systemd_flavour() -> Flavour | None:
    """A transient scope per process, where systemd is the service manager: the system's when the
    grader is root, else the user's (which has ``pids`` and ``memory`` delegated to it)."""
    systemd_run = shutil.which("systemd-run")
    if systemd_run is None or not os.path.isdir("/run/systemd/system"):
        return None
    user = os.geteuid() != 0
    if user and not os.path.isdir(os.path.join(os.environ.get("XDG_RUNTIME_DIR", "/nonexistent"), "systemd")):
        return None
    where = "user manager" if user else "system manager"
    return Flavour("systemd scope", where, lambda limits: ScopeGroup(systemd_run, user, limits))


@functools.lru_cache(maxsize=1)
def flavour() -> Flavour | None:
    """The control groups this host gives the sandbox (:data:`ENV` chooses or turns them off)."""
    wanted = os.environ.get(ENV, "auto")
    if wanted == "none":
        return None
    finders = {"v1": [v1_flavour], "v2": [v2_flavour], "systemd": [systemd_flavour]}.get(
        wanted, [v1_flavour, systemd_flavour, v2_flavour] if wanted in ("auto", "") else [v2_flavour]
    )
    for find in finders:
        found = find()
        if found is not None and _works(found):
            return found
    return None


def _works(found: Flavour) -> bool:
    """Whether a process really starts in a group of ``found`` (a host may let the grader make
    groups but not move processes into them)."""
    import subprocess

    try:
        group = found.create(Limits())
    except OSError:
        return False
    try:
        proc = subprocess.run(group.wrap(["/bin/true"]), preexec_fn=group.enter, capture_output=True, timeout=30)
        return proc.returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False
    finally:
        group.remove()


def create(limits: Limits, found: Flavour | None) -> ControlGroup | None:
    """A control group of ``found`` (the host's flavour, or None where it has none) for one process;
    :class:`~.policy.SandboxUnavailable` where making it fails: a sandbox without the limit the host
    was found to give is not started."""
    if found is None:
        return None
    try:
        return found.create(limits)
    except OSError as exc:
        from .policy import SandboxUnavailable

        raise SandboxUnavailable(
            f"the {found.kind} control group of the sandbox could not be made ({exc})",
            f"check the grader's rights on {found.where}, or take control groups away on purpose with {ENV}=none",
        ) from None


# ---------------------------------------------------------------------------- removing ---


def remove_cgroups(dirs: Sequence[Path | str], wait: float = 5.0) -> None:
    """Kill every process in the cgroups ``dirs`` (until none is left, at most ``wait`` seconds)
    and remove them."""
    deadline = time.monotonic() + wait
    for d in map(Path, dirs):
        if not d.is_dir():
            continue
        try:
            _write(d / "cgroup.kill", "1")  # cgroup v2 (Linux 5.14): all at once, forks included
        except OSError:
            pass
        while True:
            try:
                pids = (d / "cgroup.procs").read_text().split()
            except OSError:
                break
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError, PermissionError):
                    pass
            if not pids or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        try:
            d.rmdir()
        except OSError:
            pass


def _group_parents() -> list[Path]:
    found = flavour()
    if found is None or found.kind == "systemd scope":
        return []  # systemd collects its scopes itself
    if found.kind == "cgroup v1":
        return [CGROUP_ROOT / "pids", CGROUP_ROOT / "memory"]
    return [Path(found.where)]


def cgroups_of(pid: int) -> list[Path]:
    """The cgroups that process ``pid`` made."""
    return sorted(d for parent in _group_parents() for d in parent.glob(f"tln-{pid}-*"))


def remove_orphan_cgroups() -> list[Path]:
    """Kill what is left in the cgroups of processes that are gone (graders killed before they could
    clean up), and remove them; returns them. The groups of living graders are left alone."""
    removed = []
    for parent in _group_parents():
        for d in parent.glob("tln-*-*"):
            try:
                alive = Path(f"/proc/{int(d.name.split('-')[1])}").exists()
            except (ValueError, IndexError):
                continue
            if not alive and d.is_dir():
                remove_cgroups([d])
                removed.append(d)
    return removed
