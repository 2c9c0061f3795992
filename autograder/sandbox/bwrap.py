"""bubblewrap (Debian's ``bubblewrap`` package): the sandbox's own view of the machine.

Inside, a student's code sees the system folders and of ``/etc`` only what Python needs, all
read-only; the Python installation at neutral paths (``/opt/python``, a virtual environment at
``/opt/venv``); its own folder read-write (``/home/student`` for the grader's worker); a
private ``/tmp``; the few ``/run/...`` paths its caller binds; and nothing else: not the course
repository, the reference solution, the hidden checks, the gradebook or other submissions. It
has its own PID, IPC, UTS and network namespaces (no network at all).

bubblewrap's arguments come from a descriptor (``--args``), and every folder is bound at a
neutral path, so that the sandbox's ``/proc/1/cmdline`` (bubblewrap itself) and its processes'
command lines and environments name nothing of the host.

Two ways to be unprivileged inside: user ``nobody`` of a user namespace of its own (mapped to
the grader's user), or, where a user of its own must hold ``RLIMIT_NPROC``
(:mod:`~autograder.sandbox.users`), bubblewrap sets up the sandbox as root without a user
namespace and ``setpriv`` runs Python as that user.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass, field
from pathlib import Path

PYTHON_HOME = "/opt/python"  # the base Python installation, inside
VENV_HOME = "/opt/venv"  # the virtual environment, inside
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32")
# Of /etc only what a Python process needs: not passwd files, keys or the machine's settings.
# The font settings: without them matplotlib's first plot prints a Fontconfig error on stderr
# (and nbgrader gives a test cell with output on stderr 0 points).
ETC_FILES = ("/etc/ld.so.cache", "/etc/localtime", "/etc/alternatives", "/etc/ssl/certs", "/etc/fonts")


def base_args(tmp_bytes: int | None = None, *, userns: bool = True) -> list[str]:
    """bubblewrap's arguments for the namespaces, ``/proc``, ``/dev``, a private ``/tmp`` (of at
    most ``tmp_bytes``) and the system folders. ``userns=False``: no user namespace (bubblewrap
    runs as root), and ``setpriv`` may change the user (CAP_SETUID/CAP_SETGID, nothing else)."""
    if userns:
        args = ["--unshare-all", "--unshare-user", "--disable-userns", "--uid", "65534", "--gid", "65534"]
    else:
        args = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    args += ["--die-with-parent", "--new-session", "--proc", "/proc", "--dev", "/dev"]
    if tmp_bytes is not None:
        args += ["--size", str(tmp_bytes)]
    if not userns:
        args += ["--perms", "1777"]  # made by root: writable for the user setpriv switches to
    args += ["--tmpfs", "/tmp"]
    for system_dir in SYSTEM_DIRS:
        if os.path.islink(system_dir):
            args += ["--symlink", os.readlink(system_dir), system_dir]
        elif os.path.exists(system_dir):
            args += ["--ro-bind", system_dir, system_dir]
    for etc in ETC_FILES:
        if os.path.exists(etc):
            args += ["--ro-bind", etc, etc]
    return args


PROBE_TIMEOUT_ENV = "AUTOGRADER_PROBE_TIMEOUT"  # seconds one probe may take (default 20)


def installed() -> str | None:
    """The path of ``bwrap``, if it is installed."""
    return shutil.which("bwrap")


def refusal(path: str, userns: bool = True, attempts: int = 3) -> str:
    """Why ``bwrap`` at ``path`` cannot set up a sandbox here ("" when it can): ``/bin/true`` run in
    one, up to ``attempts`` times with growing pauses, so that a probe that fails once under load
    is not taken as the host's answer. Passing is necessary, not sufficient: every sandbox's start
    is checked too (the worker and the kernel each announce themselves from inside)."""
    why = ""
    for attempt in range(attempts):
        why = _probe(path, userns)
        if not why:
            return ""
        if attempt + 1 < attempts:
            time.sleep(attempt + 1)
    return why


def _probe(path: str, userns: bool) -> str:
    inner = ["/bin/true"] if userns else [shutil.which("setpriv") or "setpriv", "--reuid=65534", "--", "/bin/true"]
    timeout = float(os.environ.get(PROBE_TIMEOUT_ENV, "20"))
    try:
        probe = subprocess.run(
            [path, *base_args(userns=userns), "--", *inner], capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return f"bubblewrap did not start a sandbox within {timeout:g} s"
    except OSError as exc:
        return f"bubblewrap could not be run ({exc})"
    if probe.returncode != 0:
        said = probe.stderr.strip().splitlines()[-1:] or [f"exit status {probe.returncode}"]
        return f"bubblewrap refused to start a sandbox ({said[0][:300]})"
    return ""


# ---------------------------------------------------------------------- the Python view ---


@dataclass
class PythonView:
    """Where the sandbox finds this Python: the installation and the virtual environment, opened
    by the grader (``O_PATH`` descriptors: a Python under a home folder others cannot enter,
    like ``/root/.pyenv``, is still reachable by a sandbox user), and how they appear inside."""

    base: Path
    venv: Path | None
    version: str = f"{sys.version_info.major}.{sys.version_info.minor}"
    shared: bool = False  # the interpreter loads libpython from <base>/lib
    others: list[Path] = field(default_factory=list)  # packages outside both (bound at their own path)
    fds: dict[Path, int] = field(default_factory=dict)

    def fd(self, folder: Path) -> int:
        if folder not in self.fds:
            self.fds[folder] = os.open(folder, os.O_PATH | os.O_CLOEXEC)
        return self.fds[folder]

    # inside bubblewrap
    def bwrap_args(self) -> list[str]:
        args = ["--ro-bind-fd", str(self.fd(self.base)), PYTHON_HOME]
        if self.venv is not None:
            for name in ("lib", "lib64"):
                path = self.venv / name
                if path.is_symlink():
                    args += ["--symlink", os.readlink(path), f"{VENV_HOME}/{name}"]
                elif path.is_dir():
                    args += ["--ro-bind-fd", str(self.fd(path)), f"{VENV_HOME}/{name}"]
            for name in ("python", "python3", f"python{self.version}"):
                args += ["--symlink", f"{PYTHON_HOME}/bin/python{self.version}", f"{VENV_HOME}/bin/{name}"]
        for path in self.others:
            args += ["--ro-bind-fd", str(self.fd(path)), str(path)]
        return args

    def pyvenv_cfg(self) -> bytes:
        """The virtual environment's pyvenv.cfg as seen inside (its ``home`` the neutral one)."""
        system = "false"
        try:
            for line in (self.venv / "pyvenv.cfg").read_text().splitlines():
                key, _, value = line.partition("=")
                if key.strip() == "include-system-site-packages":
                    system = value.strip()
        except OSError:
            pass
        version = sys.version.split()[0]
        return f"home = {PYTHON_HOME}/bin\ninclude-system-site-packages = {system}\nversion = {version}\n".encode()

    def inside(self) -> tuple[str, str]:
        """The interpreter inside bubblewrap, and its ``bin`` folder."""
        home = VENV_HOME if self.venv is not None else PYTHON_HOME
        return f"{home}/bin/python{self.version}", f"{home}/bin"

    # without bubblewrap
    def through_fds(self) -> tuple[str, str]:
        """The interpreter reached through the grader's descriptors, and the code that makes it the
        virtual environment's (run first: ``sys.prefix`` set, then ``site``, which Python was told
        not to import at start, ``-S``, adds the environment's packages and not the base's)."""
        python = f"/proc/self/fd/{self.fd(self.base)}/bin/python{self.version}"
        prefix = f"/proc/self/fd/{self.fd(self.venv)}" if self.venv is not None else None
        lines = ["import sys", "if sys.path and sys.path[0] == '':", "    del sys.path[0]"]
        if prefix is not None:
            lines.append(f"sys.prefix = sys.exec_prefix = {prefix!r}")
        lines += ["import site", "site.main()", *(f"site.addsitedir({str(p)!r})" for p in self.others)]
        return python, "\n".join(lines) + "\n"

    def library_path(self, home: str) -> dict[str, str]:
        """LD_LIBRARY_PATH for an interpreter whose libpython is found by an absolute RUNPATH into
        the host's installation: without it, the loader could pick another libpython of the same
        version from the system (seen: Debian's 3.11.2 under pyenv's 3.11.7)."""
        return {"LD_LIBRARY_PATH": f"{home}/lib"} if self.shared else {}


@functools.lru_cache(maxsize=1)
def python_view() -> PythonView:
    base = Path(sys.base_prefix).resolve()
    venv = Path(sys.prefix).resolve()
    view = PythonView(base, venv if venv != base else None)
    libdir = sysconfig.get_config_var("LIBDIR") or ""
    view.shared = bool(sysconfig.get_config_var("Py_ENABLE_SHARED")) and Path(libdir).resolve().is_relative_to(base)
    import numpy  # numpy and its libraries, wherever they are installed

    for folder in {Path(sysconfig.get_paths()[k]).resolve() for k in ("purelib", "platlib")} | {
        Path(numpy.__file__).resolve().parents[1]
    }:
        if not any(folder.is_relative_to(p) for p in (base, venv, *view.others)):
            view.others.append(folder)
    return view


def args_fd(args: list[str]) -> int:
    """A descriptor holding ``args`` for ``bwrap --args``: the sandbox's /proc/1/cmdline (bubblewrap
    itself) shows ``bwrap --args N`` instead of every host path bound into the sandbox."""
    fd = os.memfd_create("bwrap-args", os.MFD_CLOEXEC)
    os.write(fd, b"".join(a.encode() + b"\0" for a in args))
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def data_fd(data: bytes) -> int:
    """A descriptor holding ``data`` for ``--ro-bind-data``."""
    fd = os.memfd_create("bwrap-data", os.MFD_CLOEXEC)
    os.write(fd, data)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd
