"""One sandboxed Python process: how it starts and what holds it until it is gone.

Both users of the sandbox build their process with :class:`Confined`: the grader's worker
(``autograder/execution/remote.py``) and nbgrader's kernel (``autograder/nbgrader/kernel/launcher.py``). They name
paths as the process sees them inside bubblewrap (``/home/student``, ``/run/...``);
:meth:`Confined.path` gives the path the process really uses, the same inside bubblewrap and
the host's without it.
"""

from __future__ import annotations

import ctypes
import functools
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from twolayer.cpus import CHOSEN_VARIABLE

from . import bwrap, cgroups, landlock, users, watchdog
from .limits import Limits, apply_rlimits
from .mechanisms import mechanisms
from .policy import SandboxUnavailable

WORKDIR = "/home/student"  # the process's own folder, inside
# Read-only beside the Python installation without bubblewrap (Landlock): the CPU count
# (os.cpu_count, OpenBLAS) and the devices every program opens.
EXTRA_READ = ("/sys/devices/system/cpu", "/dev/urandom", "/dev/random", "/dev/zero")


@functools.lru_cache(maxsize=1)
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def unreachable(folder: Path) -> str:
    return (
        f"without bubblewrap the sandbox's user reaches {folder} by its path, and a folder above it "
        "is not searchable by others (chmod o+x, or install bubblewrap)"
    )


class Confined:
    """A sandboxed Python process, before and while it runs: its command (:meth:`popen`), its
    control group and its user (both made here), and its clean-up (:meth:`close`).

    ``workdir`` (read-write, at ``inside``), ``readonly`` and ``binds`` ({inside path: host path},
    read-only and read-write) are all it sees of the machine besides the system and Python.
    """

    def __init__(
        self,
        limits: Limits,
        *,
        workdir: Path,
        inside: str = WORKDIR,
        readonly: Mapping[str, Path] = {},
        binds: Mapping[str, Path] = {},
        tmp_bytes: int | None = None,
    ):
        self.mech = mechanisms()
        self.limits, self.tmp_bytes = limits, tmp_bytes
        self.workdir, self.inside = Path(workdir), inside
        self.readonly = {k: Path(v) for k, v in readonly.items()}
        self.binds = {k: Path(v) for k, v in binds.items()}
        self.view = bwrap.python_view()
        self.proc: subprocess.Popen | None = None
        self.user: users.SandboxUser | None = None
        self.group: cgroups.ControlGroup | None = None
        self.ruleset: landlock.Ruleset | None = None
        self.tmp: Path | None = None  # without bubblewrap: its /tmp
        self.watchdog: subprocess.Popen | None = None  # without bubblewrap: kills what is left if we die
        self._watchdog_pipe = -1
        self._owners: dict[Path, tuple[int, int]] = {}
        try:
            if not self.mech.bwrap:
                self.tmp = Path(tempfile.mkdtemp(prefix="tln-tmp-", dir=users.tempdir()))
            if self.mech.user:
                if not self.in_bubblewrap and not users.reachable(self.workdir):
                    raise users.NoSandboxUser(unreachable(self.workdir))
                users.adopt_orphans()
                self.user = users.SandboxUser.lease()
                for folder in (self.workdir, *self.binds.values(), *([self.tmp] if self.tmp else [])):
                    info = os.stat(folder)
                    self._owners[folder] = (info.st_uid, info.st_gid)
                    self.user.give(folder)
            self.group = cgroups.create(limits, self.mech.cgroup)
            if not self.mech.bwrap and self.mech.landlock:
                self.ruleset = self._ruleset()
        except OSError as exc:  # a folder, a ruleset: the sandbox cannot be set up, whoever's code it is for
            self.close()
            raise SandboxUnavailable(f"the sandbox could not be set up ({exc})") from None
        except BaseException:
            self.close()
            raise

    def _ruleset(self) -> landlock.Ruleset:
        """Without bubblewrap: read the system, Python and ``readonly``; write ``workdir``, the
        binds and its /tmp; nothing else (the course, the gradebook, other submissions)."""
        rules = landlock.Ruleset()
        try:
            rules.allow_all([*bwrap.SYSTEM_DIRS, *bwrap.ETC_FILES, *EXTRA_READ], landlock.READ)
            rules.allow("/dev/null", landlock.READ_FILE | landlock.WRITE_FILE | landlock.TRUNCATE)
            view = self.view
            for folder in (view.base, *([view.venv] if view.venv else []), *view.others):
                rules.allow(view.fd(folder), landlock.READ)
            for host in self.readonly.values():
                rules.allow(host, landlock.READ)
            for folder in (self.workdir, self.tmp, *self.binds.values()):
                rules.allow(folder, rules.handled)
        except BaseException:
            rules.close()
            raise
        return rules

    # --- paths ------------------------------------------------------------------------------

    @property
    def in_bubblewrap(self) -> bool:
        return self.mech.bwrap is not None

    def uid_inside(self) -> int:
        """The uid the process has, as it sees itself: what its greeting must say."""
        if self.user is not None:
            return self.user.uid
        return users.NOBODY if self.in_bubblewrap else os.geteuid()

    def _mapping(self) -> dict[str, Path]:
        mapping = {self.inside: self.workdir, **self.readonly, **self.binds}
        if self.tmp is not None:
            mapping["/tmp"] = self.tmp
        return mapping

    def path(self, inside: str) -> str:
        """The path the process uses for ``inside``: itself in bubblewrap, the host's without it.
        A folder above bound paths (``/run/course`` of ``/run/course/twolayer``) becomes a folder
        of links to them in its /tmp: Landlock lets it read what is bound, not what is beside."""
        if self.in_bubblewrap:
            return inside
        mapping = self._mapping()
        for key, host in mapping.items():
            if inside == key or inside.startswith(key + "/"):
                return str(host) + inside[len(key) :]
        children = {key[len(inside) + 1 :]: host for key, host in mapping.items() if key.startswith(inside + "/")}
        if not children or self.tmp is None:
            return inside
        folder = self.tmp / ".run" / inside.strip("/")
        for name, host in children.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            if not (folder / name).is_symlink():
                (folder / name).symlink_to(host)
        return str(folder)

    def python_args(self, args: Sequence[str]) -> list[str]:
        """``args`` for the sandbox's Python. Without bubblewrap, Python starts from its base
        installation (through a descriptor) with ``-S``, and a first step makes it the virtual
        environment's: ``-c CODE`` gets it in front, a script is run by it (``runpy``)."""
        if self.in_bubblewrap:
            return list(args)
        boot = self.view.through_fds()[1]
        args = list(args)
        options = []
        while args and args[0].startswith("-") and args[0] != "-c":
            options.append(args.pop(0))
        if args and args[0] == "-c":
            return [*options, "-S", "-c", boot + args[1], *args[2:]]
        run = "import runpy\ndel sys.argv[0]\nrunpy.run_path(sys.argv[0], run_name='__main__')\n"
        return [*options, "-S", "-c", boot + run, *args]

    # --- the process ------------------------------------------------------------------------

    def environment(self, home: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """Its whole environment (nothing of the grader's): ``home`` (an inside path) it may write,
        BLAS threads as the limits say, the host's OpenBLAS CPU hints, then ``extra``, whose
        inside paths are turned into the ones the process uses."""
        if self.in_bubblewrap:
            bindir = self.view.inside()[1]
            libs = self.view.library_path(bwrap.PYTHON_HOME)
        else:
            bindir = str(Path(self.view.through_fds()[0]).parent)
            libs = self.view.library_path(f"/proc/self/fd/{self.view.fd(self.view.base)}")
        threads = str(self.limits.threads)
        env = {
            "PATH": f"{bindir}:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "HOME": self.path(home),
            "MPLCONFIGDIR": self.path(home.rstrip("/") + "/.matplotlib"),
            "PYTHONDONTWRITEBYTECODE": "1",
            "OMP_NUM_THREADS": threads,
            "OPENBLAS_NUM_THREADS": threads,
            "MKL_NUM_THREADS": threads,
            CHOSEN_VARIABLE: threads,  # the notebook's set-up cell keeps them (twolayer.cpus)
            **libs,
        }
        if self.tmp is not None:
            env["TMPDIR"] = str(self.tmp)
        for passthrough in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
            if passthrough in os.environ:
                env[passthrough] = os.environ[passthrough]
        for key, value in (extra or {}).items():
            env[key] = ":".join(self.path(part) if part.startswith("/") else part for part in value.split(":"))
        return env

    def command(self, python_args: Sequence[str], bwrap_args: Sequence[str] = ()) -> tuple[list[str], list[int]]:
        """The command that starts Python with ``python_args`` here, and the descriptors it needs
        (those in the second list that are not the Python view's are closed after the start)."""
        drop = self.user.command() if self.user else []
        if self.in_bubblewrap:
            python = self.view.inside()[0]
            args = [*bwrap.base_args(self.tmp_bytes, userns=self.user is None), *self.view.bwrap_args()]
            fds = list(self.view.fds.values())
            if self.view.venv is not None:
                cfg = bwrap.data_fd(self.view.pyvenv_cfg())
                fds.append(cfg)
                args += ["--perms", "0644", "--ro-bind-data", str(cfg), f"{bwrap.VENV_HOME}/pyvenv.cfg"]
            for inside, host in self.readonly.items():
                args += ["--ro-bind", str(host), inside]
            for inside, host in self.binds.items():
                args += ["--bind", str(host), inside]
            # Read-write are only the workdir, the binds and the private /tmp (the skeleton
            # bubblewrap makes the mount points in is remounted read-only).
            args += ["--bind", str(self.workdir), self.inside, "--chdir", self.inside]
            # The folders bubblewrap made for the mount points, open to the sandbox's user (when
            # bubblewrap sets up the sandbox as root, it makes them 0700).
            inner = [
                *bwrap.ETC_FILES,
                bwrap.PYTHON_HOME,
                f"{bwrap.VENV_HOME}/bin",
                self.inside,
                *self.readonly,
                *self.binds,
            ]
            for folder in sorted({str(p) for path in inner for p in Path(path).parents if str(p) != "/"}):
                args += ["--chmod", "0755", folder]
            args += ["--remount-ro", "/"]
            fd = bwrap.args_fd(args)
            fds.append(fd)
            argv = [self.mech.bwrap, *bwrap_args, "--args", str(fd), "--", *drop, python, *python_args]
        else:
            python, _ = self.view.through_fds()
            fds = list(self.view.fds.values())
            argv = [*drop, python, *self.python_args(python_args)]
        return (self.group.wrap(argv) if self.group else argv), fds

    def preexec(self) -> None:
        """In the child, before exec: killed when its parent dies, its own session, its control
        group, the resource limits and, without bubblewrap, Landlock."""
        _libc().prctl(watchdog.PR_SET_PDEATHSIG, signal.SIGKILL)
        os.setsid()
        if self.group is not None:
            self.group.enter()
        apply_rlimits(self.limits, nproc=self.user is not None or not self.mech.root)
        if self.ruleset is not None:
            self.ruleset.restrict()

    def popen(
        self,
        python_args: Sequence[str],
        *,
        env: Mapping[str, str],
        pass_fds: Sequence[int] = (),
        bwrap_args: Sequence[str] = (),
        **kwargs: Any,
    ) -> subprocess.Popen:
        """Start the process (``kwargs`` go to Popen: stdin, stdout, stderr)."""
        argv, fds = self.command(python_args, bwrap_args)
        try:
            self.proc = subprocess.Popen(
                argv,
                env=dict(env),
                cwd=self.workdir,
                pass_fds=(*pass_fds, *fds),
                preexec_fn=self.preexec,
                close_fds=True,
                **kwargs,
            )
        except (OSError, subprocess.SubprocessError) as exc:  # nothing of the student's has run yet
            raise SandboxUnavailable(f"the sandboxed process could not be started ({exc})") from None
        finally:
            for fd in fds:
                if fd not in self.view.fds.values():
                    os.close(fd)
        if isinstance(self.group, cgroups.ScopeGroup):
            self.group.started(self.proc.pid)
            self.group.tasks()  # finds its folder
        if not self.in_bubblewrap:  # no PID namespace dies with us: a watchdog kills what is left
            lease = (self.user.lease_fd,) if self.user else ()
            dirs = self.group.dirs if self.group else []
            self.watchdog, self._watchdog_pipe = watchdog.start(
                self.proc.pid, dirs, self.user.uid if self.user else None, lease
            )
        return self.proc

    # --- while it runs ----------------------------------------------------------------------

    def tasks(self) -> int | None:
        """Its processes and threads now (all it started included), or None where nothing counts them."""
        if self.group is not None:
            return self.group.tasks()
        if self.user is not None:
            return self.user.tasks()
        return None

    def at_limit(self) -> bool:
        """Whether it has as many processes and threads as it may: one more fails (OpenBLAS, which
        rebuilds its threads after every fork, would wait for them forever)."""
        tasks = self.tasks()
        return tasks is not None and tasks >= self.limits.processes

    def pids(self) -> set[int]:
        """Its processes (host pids)."""
        if self.group is not None and self.group.dirs:
            try:
                return {int(p) for p in (self.group.dirs[0] / "cgroup.procs").read_text().split()}
            except (OSError, ValueError):
                return set()
        if self.user is not None:
            return set(users.tasks_of(self.user.uid, zombies=False))
        return set()

    def close(self) -> None:
        """Kill everything it left, remove its control group, give back its user and folders."""
        if self.group is not None:
            self.group.remove()
            self.group = None
        if self._watchdog_pipe >= 0:  # nothing left for it to kill: it exits, letting the user go
            os.close(self._watchdog_pipe)
            self._watchdog_pipe = -1
            try:
                self.watchdog.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.watchdog.kill()
        if self.user is not None:
            self.user.release()
            self.user = None
        for folder, (uid, gid) in self._owners.items():
            if folder.exists():
                users.chown_tree(folder, uid, gid)
        self._owners.clear()
        if self.ruleset is not None:
            self.ruleset.close()
            self.ruleset = None
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None
