"""Running untrusted code: bubblewrap where it works, resource limits everywhere.

With bubblewrap (Debian's ``bubblewrap`` package) a student's code runs as ``nobody`` in its
own user, PID, IPC, UTS and network namespaces (no network), sees the system and the Python
installation read-only, its own scratch folder read-write, a private ``/tmp``, and nothing
else of the machine: not the course repository, not the reference solution, not the hidden
checks, not the gradebook, not other submissions. Without bubblewrap only the resource
limits and a separate process remain, and the grader says so loudly.
"""
from __future__ import annotations

import functools
import os
import resource
import shutil
import subprocess
import sys
import sysconfig
import warnings
from dataclasses import dataclass
from pathlib import Path

import twolayer

TWOLAYER_DIR = Path(twolayer.__file__).resolve().parent
WORKER_FILE = Path(__file__).with_name("worker.py")
GiB = 1024 ** 3
SANDBOX_WORKER = "/run/grader/worker.py"
SANDBOX_LIB = "/run/course"


@dataclass(frozen=True)
class Limits:
    """Limits of one worker process."""

    memory_bytes: int = 4 * GiB     # address space (RLIMIT_AS)
    cpu_seconds: int = 600          # CPU time (RLIMIT_CPU)
    file_bytes: int = 64 * 1024 ** 2  # largest file it may write, output included (RLIMIT_FSIZE)
    processes: int = 64             # inside its own PID namespace (bubblewrap) / RLIMIT_NPROC
    threads: int = 1                # BLAS threads


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
        probe = subprocess.run([path, *_bwrap_base(), "--", "/bin/true"], capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return path if probe.returncode == 0 else None


def _bwrap_base() -> list[str]:
    args = ["--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534",
            "--die-with-parent", "--new-session", "--proc", "/proc", "--dev", "/dev",
            "--tmpfs", "/tmp"]
    for system_dir in ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32"):
        if os.path.islink(system_dir):
            args += ["--symlink", os.readlink(system_dir), system_dir]
        elif os.path.exists(system_dir):
            args += ["--ro-bind", system_dir, system_dir]
    # Of /etc only what a Python process needs: not passwd files, keys or the machine's settings.
    for etc in ("/etc/ld.so.cache", "/etc/localtime", "/etc/alternatives", "/etc/ssl/certs"):
        if os.path.exists(etc):
            args += ["--ro-bind", etc, etc]
    return args


def python_dirs() -> list[Path]:
    """What the worker's Python needs to see: its installation and the environment's packages."""
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
    return out


def worker_command(scratch: Path, *, readonly: list[Path] = (), env: dict[str, str] | None = None,
                   limits: Limits = Limits(), rfd: int, wfd: int) -> tuple[list[str], dict[str, str]]:
    """The command that starts a worker whose writable folder is ``scratch``."""
    environment = {
        "PATH": "/usr/bin:/bin", "HOME": str(scratch), "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1",
        "OMP_NUM_THREADS": str(limits.threads), "OPENBLAS_NUM_THREADS": str(limits.threads),
        "MKL_NUM_THREADS": str(limits.threads), "LANG": "C.UTF-8", "TQDM_DISABLE": "1",
        "MPLCONFIGDIR": str(scratch / ".matplotlib"),
    }
    for passthrough in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if passthrough in os.environ:
            environment[passthrough] = os.environ[passthrough]
    environment.update(env or {})
    bwrap = bubblewrap()
    if bwrap is None:
        return [sys.executable, "-I", str(WORKER_FILE), str(rfd), str(wfd), str(TWOLAYER_DIR.parent)], environment
    # Inside the sandbox the worker and the helper library sit at neutral paths: nothing of
    # the course repository is visible, not even where it is.
    python = [sys.executable, "-I", SANDBOX_WORKER, str(rfd), str(wfd), SANDBOX_LIB]
    args = [bwrap, *_bwrap_base()]
    for path in [*python_dirs(), *readonly]:
        path = Path(path)
        if path.exists():
            args += ["--ro-bind", str(path), str(path)]
    args += ["--ro-bind", str(WORKER_FILE), SANDBOX_WORKER, "--ro-bind", str(TWOLAYER_DIR), SANDBOX_LIB + "/twolayer"]
    # sys.executable may be a symlink into the environment (a venv): bind the link itself too.
    exe = Path(sys.executable)
    if exe.parent.exists():
        args += ["--ro-bind", str(exe.parent), str(exe.parent)]
    args += ["--bind", str(scratch), str(scratch), "--chdir", str(scratch)]
    for key, value in environment.items():
        args += ["--setenv", key, value]
    args += ["--unsetenv", "PYTHONPATH"]
    return [*args, "--", *python], environment


class ControlGroup:
    """A cgroup (v1 or v2) capping the processes and memory of one worker and all its children.

    Resource limits are per process and RLIMIT_NPROC does not hold for root, so a fork bomb is
    stopped here. Best effort: without a writable cgroup file system, only rlimits apply.
    """

    def __init__(self, limits: Limits):
        self.dirs: list[Path] = []
        name = f"tln-{os.getpid()}-{id(self)}"
        for base, files in ((Path("/sys/fs/cgroup/pids"), {"pids.max": str(limits.processes)}),
                            (Path("/sys/fs/cgroup/memory"), {"memory.limit_in_bytes": str(limits.memory_bytes)})):
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
        for d in self.dirs:
            try:
                for pid in (d / "cgroup.procs").read_text().split():
                    try:
                        os.kill(int(pid), 9)
                    except (ProcessLookupError, ValueError):
                        pass
                d.rmdir()
            except OSError:
                pass


def preexec(limits: Limits, use_nproc: bool, group: "ControlGroup | None" = None) -> None:
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
            "`bubblewrap` package to confine it (see README, Security).", RuntimeWarning, stacklevel=2)
        print("WARNING: no sandbox (bubblewrap) available: student code is NOT confined. "
              "Install the `bubblewrap` package.", file=sys.stderr)
