"""The launcher: what Jupyter starts for the kernel ``two_layer_net_sandbox``, outside the sandbox
(``python -I -m autograder.nbgrader.kernel -f {connection_file}``).

It starts ipykernel in the sandbox (:mod:`~autograder.nbgrader.kernel.confinement`), connected to nbgrader
over unix sockets (:mod:`~autograder.nbgrader.kernel.ipc`); serves the hidden test cells
(:mod:`~autograder.nbgrader.kernel.grader_server`) on the notebook as nbgrader put it into the folder
before the kernel started; forwards SIGINT (nbclient's interrupt on a cell timeout) to the
sandboxed kernel, stops it on SIGTERM/SIGHUP, exits when it exits; stops what the notebook left
running when it holds its limit of processes; then kills whatever is left of the sandbox (its
cgroup, its user) and cleans the folder (:mod:`~autograder.nbgrader.kernel.cleanup`). It records the
verdicts for nbgrader (:mod:`~autograder.nbgrader.kernel.verdicts`).

It fails closed: where the sandbox cannot be set up for this notebook (the containment this host
is set up for cannot start, its folder cannot be confined), the kernel does not start at all, and
the launcher records why for ``SandboxedExecute``, which reports the notebook as not graded. Only
where the instructor chose no sandbox (``AUTOGRADER_SANDBOX=none``) does the kernel run unconfined,
still with this launcher, so that the grader outside still gives every verdict. It dies with
nbgrader (a parent-death signal), and the sandbox with it.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import select
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from autograder import sandbox
from autograder.course.names import NOTEBOOK_FILE
from autograder.sandbox import users
from autograder.sandbox.watchdog import die_with_parent

from . import confinement, ipc
from .cleanup import PRIVATE_PREFIX, remove_stale, sanitize_folder
from .grader_server import MAX_PARAMS, GraderServer
from .kernelspec import KERNEL_NAME, LAUNCHER_MODULE
from .verdicts import state_path, write_state


def read_notebook(folder_fd: int) -> bytes | None:
    """The notebook in the submission folder, if it is a regular file (never through a link)."""
    try:
        fd = os.open(NOTEBOOK_FILE, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder_fd)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_PARAMS:
            return None
        return f.read()


def _snapshot(cwd: Path, work: Path) -> Path | None:
    """A copy of the notebook as nbgrader put it into ``cwd``, before any student code ran."""
    folder_fd = os.open(cwd, os.O_RDONLY | os.O_DIRECTORY)
    try:
        data = read_notebook(folder_fd)
    finally:
        os.close(folder_fd)
    if data is None:
        return None
    (work / "notebook").mkdir()
    snapshot = work / "notebook" / NOTEBOOK_FILE
    snapshot.write_bytes(data)
    return snapshot


def _install_client(grader_dir: Path) -> None:
    """The check_hidden client, alone in a package `autograder.nbgrader` (nothing else of ours), and
    under its name before the grader's packages moved, which the hidden cells of a gradebook
    registered then still import (`make register` records the new one)."""
    lib = grader_dir / "lib" / "autograder"
    (lib / "nbgrader").mkdir(parents=True)
    (lib / "__init__.py").write_text('"""check_hidden only."""\n')
    (lib / "nbgrader" / "__init__.py").write_text('"""check_hidden only."""\n')
    shutil.copy(Path(__file__).parents[1] / "hidden.py", lib / "nbgrader")
    (lib / "nbgrader_hidden.py").write_text("from autograder.nbgrader.hidden import check_hidden  # noqa: F401\n")


def read_tail(path: Path, n: int) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(max(0, os.fstat(f.fileno()).st_size - n))
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def log_tail(path: Path, n: int = 4000) -> None:
    """The end of the kernel's own output, on the launcher's stderr (nbgrader's log)."""
    text = read_tail(path, n)
    # ipykernel's banner ("NOTE: When using the `ipython kernel` entry point, Ctrl-C will not
    # work. ... --existing <connection file>") is printed by every kernel: leave it out.
    text = re.sub(r"NOTE: When using the `ipython kernel` entry point.*?--existing \S+", "", text, flags=re.S).strip()
    if text:
        print(f"[{KERNEL_NAME}] the sandboxed kernel's output:\n{text}", file=sys.stderr, flush=True)


class Launcher:
    def __init__(self, connection_file: Path, info: dict, cwd: Path, extra: list[str]):
        self.connection_file, self.info, self.cwd, self.extra = connection_file, info, cwd, extra
        self.limits = confinement.kernel_limits()
        self.state_file = state_path(connection_file, info["ip"])
        self.state = {
            "sandboxed": True,
            "cwd": str(cwd),
            "launcher": os.getpid(),
            "cgroups": [],
            "verdicts": {},
            "visible": {},
            "points": {"verdicts": {}, "visible": {}},
        }
        self.lock = threading.Lock()
        self.proc: subprocess.Popen | None = None
        self.confined: sandbox.Confined | None = None
        self.kernel_pid: int | None = None
        self.init_pid: int | None = None
        self.status_fd: int | None = None
        self.status = b""
        self.stop_requested: float | None = None
        self.reaped = False

    # signals -------------------------------------------------------------------------
    def _child_pid(self) -> int | None:
        """The host pid of the sandbox's init (bwrap's --json-status-fd), then of the kernel (its child)."""
        if self.kernel_pid:
            return self.kernel_pid
        if self.status_fd is not None:
            try:
                while b"child-pid" not in self.status and (ready := select.select([self.status_fd], [], [], 0)[0]):
                    chunk = os.read(ready[0], 4096)
                    if not chunk:
                        break
                    self.status += chunk
            except OSError:
                pass
        match = re.search(rb'"child-pid":\s*(\d+)', self.status)
        if not match:
            return None
        init = self.init_pid = int(match.group(1))
        try:
            children = Path(f"/proc/{init}/task/{init}/children").read_text().split()
        except OSError:
            return None
        if children:
            self.kernel_pid = int(children[0])
        return self.kernel_pid

    def _started(self) -> bool:
        """Whether the sandbox got as far as starting the kernel (bubblewrap reports its child)."""
        return not self.confined.in_bubblewrap or self._child_pid() is not None or self.init_pid is not None

    def _signal_kernel(self, signum: int) -> None:
        pid = self._child_pid()
        if pid:
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                pass

    def _on_interrupt(self, signum, frame) -> None:
        self._signal_kernel(signal.SIGINT)

    def _on_stop(self, signum, frame) -> None:
        self._signal_kernel(signal.SIGTERM)
        if self.stop_requested is None:
            self.stop_requested = time.monotonic()

    # state --------------------------------------------------------------------------
    def _save_state(self, **changes: Any) -> None:
        with self.lock:
            self.state.update(changes)
            write_state(self.state_file, self.state)

    def _record(self, kind: str, item: str, passed: bool, points: float | None) -> None:
        """A verdict of the grader: ``kind`` "verdicts" (hidden checks) or "visible", and the points
        the grader computed for that cell of the item (what nbgrader will give the cell)."""
        with self.lock:
            self.state[kind][item] = passed
            self.state["points"][kind][item] = points
            write_state(self.state_file, self.state)

    # run ----------------------------------------------------------------------------
    def run(self) -> int:
        remove_stale()
        private = Path(ipc.short_tempdir(f"{PRIVATE_PREFIX}{os.getpid()}-"))
        self.state["private"] = str(private)
        links: list[Path] = []
        server: GraderServer | None = None
        try:
            kernel_dir, grader_dir, work = private / "kernel", private / "grader", private / "work"
            for d in (kernel_dir, grader_dir, work):
                d.mkdir()
            _install_client(grader_dir)
            snapshot = _snapshot(self.cwd, work)
            # Listening from now on; its thread starts after the fork below (preexec_fn runs in
            # the child of a fork, which must not happen while other threads hold locks).
            server = GraderServer(
                grader_dir / "grader.sock",
                snapshot,
                work,
                on_verdict=functools.partial(self._record, "verdicts"),
                on_visible=functools.partial(self._record, "visible"),
                on_grader_failure=lambda why: self._save_state(grader_failure=why),
            )
            self.confined = c = confinement.kernel_sandbox(self.cwd, kernel_dir, grader_dir)
            self.state["containment"] = c.mech.summary()
            self.state["sandboxed"] = c.mech.isolated
            if c.user is not None:
                # Its user reaches the client and the grader's socket (nobody else); without
                # bubblewrap, through the private folder by their host paths.
                users.chown_tree(grader_dir, c.user.uid, c.user.uid)
                os.chmod(grader_dir, 0o700)
                if not c.in_bubblewrap:
                    os.chmod(private, 0o711)
            links = ipc.link_addresses(self.info, kernel_dir, c.path(f"{confinement.KERNEL_DIR}/k"))
            self.state["cgroups"] = [str(d) for d in c.group.dirs] if c.group else []
            self.state["uid"] = c.user.uid if c.user else None
            self._save_state()
            code = self._run_kernel(work, server)
            if not self._started():
                tail = read_tail(work / "kernel.out", 600).strip().splitlines()
                raise sandbox.SandboxUnavailable(
                    "the sandbox did not start the kernel" + (f" (it said: {tail[-1][:300]})" if tail else ""), ""
                )
            return code
        except sandbox.SandboxUnavailable as err:
            self.state.update(sandboxed=False, refused=err.reason, fix=err.fix)  # saved below
            refuse(None, self.state, err)
            return REFUSED
        finally:
            if self.proc is not None and self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            if self.confined is not None:
                self.confined.close()
            if server is not None:
                server.stop()
            log_tail(private / "work" / "kernel.out")
            removed = sanitize_folder(self.cwd)
            if removed:
                print(
                    f"[{KERNEL_NAME}] removed links and special files the notebook left in {self.cwd}: "
                    + ", ".join(removed[:20]),
                    file=sys.stderr,
                    flush=True,
                )
            ipc.unlink_addresses(links, private)
            shutil.rmtree(private, ignore_errors=True)
            try:
                self._save_state(finished=True)
            except OSError:
                pass

    def _run_kernel(self, work: Path, server: GraderServer) -> int:
        c = self.confined
        python_args = [
            "-c",
            confinement.KERNEL_BOOT,
            "-f",
            c.path(f"{confinement.KERNEL_DIR}/connection.json"),
            "--HistoryManager.hist_file=:memory:",
            *self.extra,
        ]
        status_r, status_w = os.pipe()
        self.status_fd = status_r
        for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
            signal.signal(signum, self._on_stop)
        signal.signal(signal.SIGINT, self._on_interrupt)
        # The kernel's own stdout and stderr (ipykernel sends what the notebook prints over
        # ZeroMQ) go to a file capped by RLIMIT_FSIZE, not into nbgrader's pipes; its end is
        # passed on to nbgrader's log when the kernel stops.
        with open(work / "kernel.out", "wb") as output:
            self.proc = c.popen(
                python_args,
                env=confinement.kernel_env(c),
                pass_fds=(status_w,),
                bwrap_args=["--json-status-fd", str(status_w)] if c.in_bubblewrap else [],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        os.close(status_w)
        if not c.in_bubblewrap:
            self.kernel_pid = self.proc.pid  # setpriv and systemd-run execute it in place
        server.start()
        while self.proc.poll() is None:
            # Learn the kernel's pid (for SIGINT) at once, while it is the only process of
            # the sandbox besides its init: later, student code could have left others.
            if self.kernel_pid is None:
                self._child_pid()
            elif c.at_limit():
                self._reap_leftovers()
            if self.stop_requested is not None and time.monotonic() - self.stop_requested > 3:
                self.proc.kill()  # bwrap: its sandbox (a PID namespace) dies with it
                break
            try:
                self.proc.wait(timeout=0.2 if self.kernel_pid else 0.01)
            except subprocess.TimeoutExpired:
                pass
        code = self.proc.wait()
        return code if code >= 0 else 128 - code

    def _reap_leftovers(self) -> None:
        """The notebook holds every process and thread it may: kill all but the kernel (and the
        sandbox's own), so that what the kernel starts next (OpenBLAS rebuilds its threads after
        every fork) does not fail or wait forever. Said once in nbgrader's log."""
        keep = {self.proc.pid, self.init_pid, self.kernel_pid}
        for pid in self.confined.pids() - keep:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if not self.reaped:
            self.reaped = True
            print(
                f"[{KERNEL_NAME}] the notebook reached its limit of {self.limits.processes} processes and "
                "threads: the processes it left running were stopped",
                file=sys.stderr,
                flush=True,
            )


REFUSED = 3  # the launcher's exit status when the sandbox could not be set up: nothing ran


def refuse(state_file: Path | None, state: dict, err: sandbox.SandboxUnavailable) -> None:
    """Record and say that the notebook's code does not run here, and why (the grader's failure)."""
    print(
        f"[{KERNEL_NAME}] NOT RUN: the sandbox could not be set up for this notebook, so none of its "
        f"code runs: {err.explain()}",
        file=sys.stderr,
        flush=True,
    )
    if state_file is not None:
        try:
            write_state(state_file, {**state, "sandboxed": False, "refused": err.reason, "fix": err.fix})
        except OSError:
            pass


def main(argv: list[str] | None = None) -> int:
    # Stopped (SIGTERM: the kernel is stopped and the sandbox cleaned up) when nbgrader dies, however
    # it dies; not started at all if it is already gone.
    if not die_with_parent(signal.SIGTERM):
        return REFUSED
    parser = argparse.ArgumentParser(
        prog=f"python -I -m {LAUNCHER_MODULE}",
        description="Start an ipykernel confined by the course's sandbox (see autograder/nbgrader/kernel/).",
    )
    parser.add_argument("-f", dest="connection_file", required=True, help="the kernel's connection file")
    args, extra = parser.parse_known_args(argv)
    connection_file = Path(args.connection_file).absolute()
    cwd = Path.cwd().resolve()
    info = json.loads(connection_file.read_text())
    if info.get("transport") != "ipc" or not os.path.isabs(info.get("ip", "")):
        print(
            f"{KERNEL_NAME}: the kernel needs ZeroMQ's ipc transport with an absolute address (the sandbox "
            f"has no network): set c.KernelManager.transport = 'ipc' and c.KernelManager.ip to an absolute "
            f"path (nbgrader_config.py does); got transport={info.get('transport')!r} ip={info.get('ip')!r}",
            file=sys.stderr,
        )
        return 2
    state_file = state_path(connection_file, info["ip"])
    try:
        mech = sandbox.mechanisms()
        unsafe = confinement.unsafe_folder(cwd)
        if unsafe:
            raise sandbox.SandboxUnavailable(
                f"the notebook's folder {cwd} cannot be confined ({unsafe})",
                "grade each submission in a folder of its own, as nbgrader's course layout does",
            )
    except sandbox.SandboxUnavailable as err:
        refuse(state_file, {"cwd": str(cwd)}, err)
        return REFUSED
    if mech.mode.opted_out:
        print(f"[{KERNEL_NAME}] WARNING: the notebook runs WITHOUT a sandbox ({mech.mode.source})", file=sys.stderr)
    return Launcher(connection_file, info, cwd, extra).run()
