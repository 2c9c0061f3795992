"""Running untrusted code: bubblewrap where it works, resource limits everywhere.

With bubblewrap (Debian's ``bubblewrap`` package) a student's code runs as ``nobody`` in its
own user, PID, IPC, UTS and network namespaces (no network, no nested user namespaces), sees the
system and the Python installation read-only, its own folder read-write, a private ``/tmp``, and
nothing else of the machine: not the course repository, not the reference solution, not the
hidden checks, not the gradebook, not other submissions. Without bubblewrap only the resource
limits and a separate process remain, and the grader says so loudly.

One confinement for both users of it: the grader's worker (:func:`worker_command`, started by
``remote.py``) and nbgrader's kernel (``autograder/kernel/confinement.py``) are built by
:func:`confined_command` and :func:`environment`, and their processes capped by
:class:`ControlGroup` and :func:`preexec`.
"""

from __future__ import annotations

import functools
import os
import resource
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import twolayer

TWOLAYER_DIR = Path(twolayer.__file__).resolve().parent
WORKER_FILE = Path(__file__).with_name("worker.py")
GiB = 1024**3
SANDBOX_WORKER = "/run/grader/worker.py"
SANDBOX_LIB = "/run/course"
CGROUP_ROOT = Path("/sys/fs/cgroup")


@dataclass(frozen=True)
class Limits:
    """Limits of one worker process."""

    memory_bytes: int = 4 * GiB  # address space (RLIMIT_AS)
    cpu_seconds: int = 600  # CPU time (RLIMIT_CPU)
    file_bytes: int = 64 * 1024**2  # largest file it may write, output included (RLIMIT_FSIZE)
    processes: int = 64  # inside its own PID namespace (bubblewrap) / RLIMIT_NPROC
    threads: int = 1  # BLAS threads


class SandboxUnavailable(RuntimeError):
    pass


@functools.lru_cache(maxsize=1)
def bubblewrap() -> str | None:
    """The path of a working ``bwrap``, or None (checked once by running ``true`` in it)."""
    if os.environ.get("AUTOGRADER_SANDBOX", "auto") == "none":
        return None
    path = shutil.which("bwrap")
    if not path:
        return None
    try:
        probe = subprocess.run([path, *base_args(), "--", "/bin/true"], capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return path if probe.returncode == 0 else None


def base_args(tmp_bytes: int | None = None) -> list[str]:
    """bubblewrap's arguments for the namespaces, ``/proc``, ``/dev``, a private ``/tmp`` (of at
    most ``tmp_bytes``), the system folders read-only and of ``/etc`` only what Python needs."""
    args = [
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--uid",
        "65534",
        "--gid",
        "65534",
        "--die-with-parent",
        "--new-session",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
    ]
    if tmp_bytes is not None:
        args += ["--size", str(tmp_bytes)]
    args += ["--tmpfs", "/tmp"]
    for system_dir in ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32"):
        if os.path.islink(system_dir):
            args += ["--symlink", os.readlink(system_dir), system_dir]
        elif os.path.exists(system_dir):
            args += ["--ro-bind", system_dir, system_dir]
    # Of /etc only what a Python process needs: not passwd files, keys or the machine's settings.
    # The font settings: without them matplotlib's first plot prints a Fontconfig error on
    # stderr (and nbgrader gives a test cell with output on stderr 0 points).
    for etc in ("/etc/ld.so.cache", "/etc/localtime", "/etc/alternatives", "/etc/ssl/certs", "/etc/fonts"):
        if os.path.exists(etc):
            args += ["--ro-bind", etc, etc]
    return args


def python_dirs() -> list[Path]:
    """What the sandbox's Python needs to see: its installation and the environment's packages."""
    dirs = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        dirs.add(Path(sysconfig.get_paths()[key]).resolve())
    import numpy  # numpy and its libraries (in site-packages)

    dirs.add(Path(numpy.__file__).resolve().parents[1])
    # Keep only the outermost folders, and never the course repository itself.
    repo = TWOLAYER_DIR.parents[2]
    out: list[Path] = []
    for d in sorted(dirs, key=lambda p: len(p.parts)):
        if repo == d or repo.is_relative_to(d) and d != Path(sys.prefix).resolve():
            continue
        if not any(d.is_relative_to(o) for o in out):
            out.append(d)
    # sys.executable may be a symlink into the environment (a venv): bind the link itself too.
    exe_dir = Path(sys.executable).parent
    if exe_dir not in out:
        out.append(exe_dir)
    return out


def confined_command(
    python_args: Sequence[str],
    *,
    workdir: Path,
    readonly: Sequence[Path] = (),
    ro_binds: Mapping[str, Path] = {},
    binds: Mapping[str, Path] = {},
    tmp_bytes: int | None = None,
) -> list[str]:
    """``bwrap ... -- python PYTHON_ARGS``: Python in the sandbox, in ``workdir`` (read-write at its
    own path), ``readonly`` folders at their own paths, ``ro_binds``/``binds`` {inside: outside}.
    Read-write are only ``workdir``, ``binds`` and the private /tmp (the skeleton bubblewrap makes
    the mount points in is remounted read-only). The environment is the caller's (bwrap passes
    its own on): pass :func:`environment` to the process."""
    bwrap = bubblewrap()
    if bwrap is None:
        raise SandboxUnavailable("bubblewrap is not available")
    args = [bwrap, *base_args(tmp_bytes)]
    for path in [*python_dirs(), *map(Path, readonly)]:
        if path.exists():
            args += ["--ro-bind", str(path), str(path)]
    for inside, outside in ro_binds.items():
        args += ["--ro-bind", str(outside), inside]
    for inside, outside in binds.items():
        args += ["--bind", str(outside), inside]
    args += ["--bind", str(workdir), str(workdir), "--chdir", str(workdir), "--remount-ro", "/"]
    return [*args, "--", sys.executable, *python_args]


def environment(limits: Limits, home: Path | str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The whole environment of a sandboxed Python (nothing of the grader's): a ``home`` it may
    write, BLAS threads as ``limits`` say, the host's OpenBLAS CPU hints, then ``extra``."""
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": str(home),
        "MPLCONFIGDIR": str(Path(home, ".matplotlib")),
        "PYTHONDONTWRITEBYTECODE": "1",
        "OMP_NUM_THREADS": str(limits.threads),
        "OPENBLAS_NUM_THREADS": str(limits.threads),
        "MKL_NUM_THREADS": str(limits.threads),
    }
    for passthrough in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if passthrough in os.environ:
            env[passthrough] = os.environ[passthrough]
    env.update(extra or {})
    return env


def worker_command(
    scratch: Path,
    *,
    readonly: list[Path] = (),
    env: dict[str, str] | None = None,
    limits: Limits = Limits(),
    rfd: int,
    wfd: int,
) -> tuple[list[str], dict[str, str]]:
    """The command that starts a worker whose writable folder is ``scratch``, and its environment."""
    environment_ = environment(limits, scratch, {"MPLBACKEND": "Agg", "TQDM_DISABLE": "1", **(env or {})})
    if bubblewrap() is None:
        return [sys.executable, "-I", str(WORKER_FILE), str(rfd), str(wfd), str(TWOLAYER_DIR.parent)], environment_
    # Inside the sandbox the worker and the helper library sit at neutral paths: nothing of
    # the course repository is visible, not even where it is.
    cmd = confined_command(
        ["-I", SANDBOX_WORKER, str(rfd), str(wfd), SANDBOX_LIB],
        workdir=scratch,
        readonly=readonly,
        ro_binds={SANDBOX_WORKER: WORKER_FILE, SANDBOX_LIB + "/twolayer": TWOLAYER_DIR},
    )
    return cmd, environment_


class ControlGroup:
    """A cgroup (v1 or v2) capping the processes and memory of one worker and all its children.

    Resource limits are per process and RLIMIT_NPROC does not hold for root, so a fork bomb is
    stopped here. Best effort: without a writable cgroup file system, only rlimits apply. Named
    ``tln-<pid of its maker>-<n>``: :func:`cgroups_of` finds those of a process that was killed.
    """

    def __init__(self, limits: Limits):
        self.dirs: list[Path] = []
        name = f"tln-{os.getpid()}-{id(self)}"
        for base, files in (
            (CGROUP_ROOT / "pids", {"pids.max": str(limits.processes)}),
            (CGROUP_ROOT / "memory", {"memory.limit_in_bytes": str(limits.memory_bytes)}),
        ):
            try:
                if base.is_dir() and os.access(base, os.W_OK):
                    d = base / name
                    d.mkdir()
                    self.dirs.append(d)
                    for fname, value in files.items():
                        (d / fname).write_text(value)
            except OSError:
                continue

    def enter(self) -> None:
        """Called in the child before exec."""
        for d in self.dirs:
            try:
                with open(d / "cgroup.procs", "w") as f:
                    f.write(str(os.getpid()))
            except OSError:
                pass

    def remove(self) -> None:
        """Kill every process left in it and remove it."""
        remove_cgroups(self.dirs)


def remove_cgroups(dirs: Sequence[Path | str], wait: float = 5.0) -> None:
    """Kill every process in the cgroups ``dirs`` (until none is left, at most ``wait`` seconds)
    and remove them."""
    deadline = time.monotonic() + wait
    for d in map(Path, dirs):
        if not d.is_dir():
            continue
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


def cgroups_of(pid: int) -> list[Path]:
    """The cgroups that :class:`ControlGroup` made in process ``pid``."""
    return sorted(CGROUP_ROOT.glob(f"*/tln-{pid}-*"))


def remove_orphan_cgroups() -> None:
    """Remove the empty cgroups of processes that are gone (killed before they could)."""
    for d in CGROUP_ROOT.glob("*/tln-*-*"):
        try:
            alive = Path(f"/proc/{int(d.name.split('-')[1])}").exists()
        except (ValueError, IndexError):
            continue
        if not alive:
            try:
                d.rmdir()  # fails unless empty
            except OSError:
                pass


def preexec(limits: Limits, use_nproc: bool, group: ControlGroup | None = None) -> None:
    """Runs in the child before exec: its own session, its cgroup and the resource limits."""
    os.setsid()
    if group is not None:
        group.enter()
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if use_nproc:
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))


_warned = False


def warn_if_unconfined() -> None:
    global _warned
    if bubblewrap() is None and not _warned:
        _warned = True
        warnings.warn(
            "bubblewrap (bwrap) is not available: student code runs WITHOUT filesystem and network "
            "isolation, only with resource limits in a separate process. Install Debian's "
            "`bubblewrap` package to confine it (see README, Security).",
            RuntimeWarning,
            stacklevel=2,
        )
        print(
            "WARNING: no sandbox (bubblewrap) available: student code is NOT confined. "
            "Install the `bubblewrap` package.",
            file=sys.stderr,
        )
