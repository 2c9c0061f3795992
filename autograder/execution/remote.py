"""The grader's side of a worker: start it in the sandbox (and know that it started), talk to it,
stop it. The checks call it through :class:`~autograder.execution.target.RemoteTarget`.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import struct
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

import twolayer
from autograder import sandbox
from twolayer.checks.targets import StudentCodeError

from .stand_ins import CallRefused, StandInsUnavailable
from .worker import unpack_arrays, write_frame

if TYPE_CHECKING:
    from .stand_ins import StandIns

OUTPUT_TAIL = 4000
MAX_HEADER = 16 * 1024**2
MAX_PAYLOAD = 2 * 1024**3
# Inside the sandbox the worker and the helper library sit at neutral paths: nothing of the
# course repository is visible, not even where it is.
WORKER_FILE = Path(__file__).with_name("worker.py")
TWOLAYER_DIR = Path(twolayer.__file__).resolve().parent
SANDBOX_WORKER = "/run/grader/worker.py"
SANDBOX_LIB = "/run/course"
# A worker announces itself from inside the sandbox before any student code runs: a start that
# fails (bubblewrap refusing, a process that cannot start) is tried again, then the grader's failure.
START_ATTEMPTS = 3
START_TIMEOUT = float(os.environ.get("AUTOGRADER_START_TIMEOUT", "120"))


class WorkerDied(StudentCodeError):
    pass


class WorkerProcess:
    """One sandboxed Python process running a student's code."""

    def __init__(
        self,
        workdir: Path | None = None,
        *,
        limits: sandbox.Limits | None = None,
        readonly: Mapping[str, Path] = {},
        env: dict[str, str] | None = None,
        timeout: float = 60.0,
    ):
        """``readonly``: {path inside: host folder} it may read (a dataset); ``env``: its
        environment besides the sandbox's own, paths in it as the sandbox sees them."""
        self.limits = limits = limits or sandbox.Limits()
        self.timeout = timeout
        self._own_scratch = workdir is None
        self.scratch = (
            Path(tempfile.mkdtemp(prefix="tln-worker-", dir=sandbox.users.tempdir()))
            if workdir is None
            else Path(workdir)
        )
        self.scratch.mkdir(parents=True, exist_ok=True)
        self.output_path = (
            self.scratch.parent / f".{self.scratch.name}.out"
            if not self._own_scratch
            else Path(tempfile.mkstemp(prefix="tln-output-")[1])
        )
        self.dead: str | None = None
        self.stand_ins: StandIns | None = None  # what answers its callbacks (stand_ins.py)
        self._serial = 0
        self._processes: int | None = None
        self._out = open(self.output_path, "wb")
        self._start(readonly, env or {})

    def _start(self, readonly: Mapping[str, Path], env: dict[str, str]) -> None:
        """Start the worker in the sandbox and wait for it to say, from inside, that it runs: up to
        :data:`START_ATTEMPTS` times, then :class:`sandbox.SandboxUnavailable` (the grader's failure:
        no student code has run yet, so nothing of it can be the student's)."""
        why = ""
        for attempt in range(START_ATTEMPTS):
            if attempt:
                time.sleep(attempt)
            try:
                self._popen(readonly, env)
            except sandbox.SandboxUnavailable as err:
                why = err.explain()
                continue
            why = self._await_ready()
            if not why:
                return
            self._stop_start()
        self._out.close()
        raise sandbox.SandboxUnavailable(f"the sandbox did not start ({why})", "")

    def _popen(self, readonly: Mapping[str, Path], env: dict[str, str]) -> None:
        self.confined = c = sandbox.Confined(
            self.limits,
            workdir=self.scratch,
            readonly={SANDBOX_WORKER: WORKER_FILE, f"{SANDBOX_LIB}/twolayer": TWOLAYER_DIR, **readonly},
        )
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        try:
            self.proc = c.popen(
                ["-I", c.path(SANDBOX_WORKER), str(to_child_r), str(from_child_w), c.path(SANDBOX_LIB)],
                env=c.environment(sandbox.WORKDIR, {"MPLBACKEND": "Agg", "TQDM_DISABLE": "1", **env}),
                pass_fds=(to_child_r, from_child_w),
                stdin=subprocess.DEVNULL,
                stdout=self._out,
                stderr=subprocess.STDOUT,
            )
        except BaseException:
            c.close()
            os.close(to_child_w)
            os.close(from_child_r)
            raise
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self._w = os.fdopen(to_child_w, "wb", buffering=0)
        self._r = os.fdopen(from_child_r, "rb", buffering=0)

    def _await_ready(self) -> str:
        """Wait for the worker's first frame, sent from inside the sandbox before anything else runs;
        why it did not come ("" when it did)."""
        deadline = time.monotonic() + START_TIMEOUT
        try:
            nh, npay = struct.unpack("<QQ", self._read(16, deadline, START_TIMEOUT))
            hello = json.loads(self._read(nh, deadline, START_TIMEOUT)) if nh <= MAX_HEADER else None
        except WorkerDied as err:
            self.dead = None
            said = self.output_tail(600).strip().splitlines()
            what = f"it did not start within {START_TIMEOUT:.0f} s" if err.kind == "timeout" else "it ended at once"
            return what + (f"; it said: {said[-1][:300]}" if said else f" ({err})")
        except ValueError:
            return "the worker's greeting could not be read"
        if npay or not isinstance(hello, dict) or hello.get("ready") is not True:
            return "the worker's first message was not its greeting"
        if hello.get("uid") != self.confined.uid_inside():
            return f"the worker runs as uid {hello.get('uid')}, not as the sandbox's user"
        return ""

    def _stop_start(self) -> None:
        """Undo a start that failed, ready for the next attempt."""
        self.kill()
        self.dead = None
        for f in (self._w, self._r):
            try:
                f.close()
            except OSError:
                pass
        self._out.seek(0)
        self._out.truncate()

    # --- requests -----------------------------------------------------------------------

    def request(
        self, header: dict, arrays: dict[str, np.ndarray] | None = None, timeout: float | None = None
    ) -> tuple[dict, dict[str, np.ndarray]]:
        if self.dead:
            raise WorkerDied(self.dead, "crash")
        timeout = self.timeout if timeout is None else timeout
        self._serial += 1
        header = {**header, "seq": self._serial}
        try:
            write_frame(self._w, header, arrays or {})
        except (BrokenPipeError, OSError):
            self._died("stopped before it could be asked anything")
        deadline = time.monotonic() + timeout
        try:
            while True:  # callbacks of stand-ins, answered, then the reply
                head = self._read(16, deadline, timeout)
                nh, npay = struct.unpack("<QQ", head)
                if nh > MAX_HEADER or npay > MAX_PAYLOAD:
                    raise ValueError("oversized frame")
                header = json.loads(self._read(nh, deadline, timeout))
                if not (isinstance(header, dict) and "callback" in header):
                    break
                self._answer(header, nh, npay, deadline, timeout)
            arrays = unpack_arrays(self._read(npay, deadline, timeout) if npay else b"")
            if not isinstance(header, dict):
                raise ValueError("malformed reply")
        except (WorkerDied, StandInsUnavailable):
            raise
        except Exception:  # EOF, a malformed frame: the process is gone, or student code wrote into the pipe
            self._died(
                "sent the grader a reply it cannot read (did the code write into the grader's pipe?)"
                if self.proc.poll() is None
                else None
            )
        if header.get("seq") != self._serial:  # an answer to another request: the pipe is not trustworthy
            self.kill()
            self.dead = "sent the grader answers out of order (did the code fork or write into the grader's pipe?)"
            raise WorkerDied(self.dead, "crash")
        if self.confined.at_limit():  # what this request left running would fail the next one
            self._at_limit()
        if self._processes is None:  # its own processes, once it has answered (see check_limit)
            self._processes = len(self.confined.pids())
        reply = header
        return reply, arrays

    def _answer(self, header: dict, nh: int, npay: int, deadline: float, timeout: float) -> None:
        """A stand-in's call, answered while the request it came in waits; a call no stand-in sends
        (an unknown name, more than a stand-in sends, one too many) stops the worker."""
        why = (
            self.stand_ins.refusal(header, nh, npay)
            if self.stand_ins is not None
            else "called the grader back, which nothing installed in it does"
        )
        if not why:
            payload = self._read(npay, deadline, timeout)
            try:
                frame = self.stand_ins.answer(header, payload, deadline)
            except CallRefused as refused:
                why = str(refused)
        if why:
            self.kill()
            self.dead = why
            raise WorkerDied(why, "crash")
        self._write(frame, deadline, timeout)

    def _write(self, data: bytes, deadline: float, timeout: float) -> None:
        """Write to the worker before the deadline (student code that stops reading must not hang the grader)."""
        fd, view = self._w.fileno(), memoryview(data)
        os.set_blocking(fd, False)
        try:
            while view:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self.kill()
                    self.dead = f"did not finish within {timeout:.0f} s (an infinite loop?)"
                    raise WorkerDied(self.dead, "timeout")
                if not select.select([], [fd], [], min(remaining, 0.5))[1]:
                    if self.proc.poll() is not None:
                        self._died()
                    continue
                try:
                    view = view[os.write(fd, view[: 1 << 20]) :]
                except BlockingIOError:
                    continue
                except OSError:
                    self._died()
        finally:
            os.set_blocking(fd, True)

    def _read(self, n: int, deadline: float, timeout: float) -> bytes:
        """Read exactly n bytes before the deadline (a half-written frame must not hang the grader)."""
        chunks, got = [], 0
        while got < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                self.dead = f"did not finish within {timeout:.0f} s (an infinite loop?)"
                raise WorkerDied(self.dead, "timeout")
            ready, _, _ = select.select([self._r], [], [], min(remaining, 0.5))
            if not ready:
                if self.proc.poll() is not None:
                    self._died()
                if self.confined.at_limit():
                    self._at_limit()
                continue
            chunk = os.read(self._r.fileno(), min(n - got, 1 << 20))
            if not chunk:
                self._died()
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def stopped_for_what_it_left(self) -> bool:
        """Whether student code that failed left it at its limit of processes and threads, or with
        processes it did not have before, and so was stopped (``dead`` says which): a fork bomb
        whose forks began to fail returns an error while its processes go on forking up to the
        limit, which the next request would meet."""
        if self.dead:
            return True
        if self.confined.at_limit():
            self.dead = self._limit_message()
        elif self._processes is not None and len(self.confined.pids()) > self._processes:
            self.dead = (
                "left processes running when it failed (does it start processes and leave them running? "
                f"it may have {self.limits.processes} at most)"
            )
        else:
            return False
        self.kill()
        return True

    def _limit_message(self) -> str:
        return (
            f"reached its limit of {self.limits.processes} processes and threads (does it start "
            "processes or threads and leave them running?)"
        )

    def _at_limit(self) -> None:
        """Student code holds every process and thread it may: whatever it (or OpenBLAS, which
        rebuilds its threads after a fork) starts next fails or waits forever. Stopped at once."""
        self.kill()
        self.dead = self._limit_message()
        raise WorkerDied(self.dead, "crash")

    def _died(self, what: str | None = None) -> None:
        try:
            code = self.proc.wait(timeout=2)  # it is exiting: let it, to read its exit status
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.proc.poll()
        if what is None:
            if code is not None and code < 0 and -code == signal.SIGXCPU:
                what = "used up its CPU time"
            elif code is not None and code < 0 and -code == signal.SIGXFSZ:
                what = "wrote too much output"
            elif code is not None and code < 0 and -code == signal.SIGKILL:
                what = "was killed (out of memory?)"
            else:
                what = f"stopped the Python process (exit status {code})"
            tail = self.output_tail(400)
            if "MemoryError" in tail:
                what = "ran out of memory (MemoryError)"
        self.dead = what
        raise WorkerDied(what, "crash")

    def output_tail(self, n: int = OUTPUT_TAIL) -> str:
        try:
            self._out.flush()
            with open(self.output_path, "rb") as f:
                f.seek(0, os.SEEK_END)
                size = f.tell()
                f.seek(max(0, size - n))
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def kill(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self.confined.close()

    def close(self) -> None:
        # Killed at once: the worker holds nothing worth keeping (every answer has been read), and
        # a polite "quit" cost 0.1-0.3 s per worker of interpreter teardown (docs/benchmarks.md).
        self.kill()
        for f in (self._w, self._r, self._out):
            try:
                f.close()
            except OSError:
                pass
        if self._own_scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)
            try:
                os.unlink(self.output_path)
            except OSError:
                pass

    def __enter__(self) -> WorkerProcess:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
