"""Stand-ins: the grader's correct versions of the items a submission's code calls, in the place of
the student's own where those fail their own checks, so that a mistake costs its points once.

The reference never enters the sandbox. A stand-in in the worker is a function (or a class whose
methods are such functions) that sends its arguments to the grader over the worker's pipe, as a
*callback* frame in the middle of the request the grader is waiting on (``remote.WorkerProcess``
answers it there); the grader hands them to a :class:`ReferenceProcess` (``reference_server``),
which computes the reference on them, and the answer's values go back to the student's code.

A stand-in answers for the arguments it is called with, and only for the names installed; what
student code can ask of it is bounded here, whatever it writes into the pipe:

- size: the arrays of one call (``MAX_CALL_BYTES``) and its other values (``MAX_CALL_HEADER``);
  more, sent by a stand-in, is an error the student's code sees; written into the pipe by
  other means, it stops the worker;
- time: one answer takes at most ``ANSWER_SECONDS`` (the reference process is killed and
  started again), all of them together at most the reference process's CPU limit, and every
  one within the deadline of the request it came in;
- memory: the reference process's own address space (``REFERENCE_MEMORY``);
- count: ``MAX_CALLS`` calls of one grading; one more stops the worker.
"""

from __future__ import annotations

import json
import os
import select
import struct
import subprocess
import sys
import tempfile
import time
from typing import Any

from autograder.course.items import ITEMS_BY_NAME
from autograder.sandbox import GiB

MiB = 1024**2
MAX_CALL_BYTES = 64 * MiB  # arrays of one call: a CIFAR-10 minibatch and W1 are 8 MB
MAX_CALL_HEADER = 1 * MiB  # JSON of one call (its numbers, strings, the shapes of its arrays)
MAX_ANSWER_BYTES = 256 * MiB
MAX_CALLS = 200_000  # one grading; the reference's search on CIFAR-10 with every layer replaced: about 45,000
ANSWER_SECONDS = 30.0
REFERENCE_MEMORY = 2 * GiB
REFERENCE_CPU = 1800  # seconds: the course's longest budgets together


class StandInsUnavailable(RuntimeError):
    """The grader's reference process could not be started: the grader's failure, never the student's."""


class CallRefused(Exception):
    """A callback the grader does not answer: the worker is stopped with this message."""


def spec(names: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """What the worker builds for each name: a function, or a class with these public methods."""
    from autograder.course.reference import reference

    ref, out = reference(), {}
    for name in names:
        obj = getattr(ref, name)
        if isinstance(obj, type):
            methods = sorted(m for m, v in vars(obj).items() if callable(v) and not m.startswith("_"))
            out[name] = {"kind": "class", "methods": methods}
        else:
            out[name] = {"kind": "function"}
    return out


def names_of(items: tuple[str, ...]) -> tuple[str, ...]:
    """The names the items' code defines (what stands in for them)."""
    return tuple(ITEMS_BY_NAME[item].defines for item in items)


class ReferenceProcess:
    """The reference solution in a process of its own (started at the first call), with the count
    and time bounds of one grading."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.calls = 0
        self.seconds = 0.0  # wall-clock time spent answering, for the report
        self._err: Any = None

    def ask(self, frame: bytes, deadline: float) -> bytes:
        """The reply frame to one request ``frame``, or an error reply; raises CallRefused past MAX_CALLS."""
        self.calls += 1
        if self.calls > MAX_CALLS:
            raise CallRefused(
                f"called the grader's correct versions more than {MAX_CALLS} times (a loop around a stand-in?)"
            )
        started = time.monotonic()
        try:
            self._start()
            limit = min(deadline, started + ANSWER_SECONDS)
            self._write(frame, limit)
            return self._read_reply(limit)
        except _Late:
            self.close()
            return error_frame(f"took longer than {min(ANSWER_SECONDS, deadline - started):.0f} s on these arguments")
        except (OSError, EOFError, ValueError):
            self.close()
            return error_frame("stopped (it reached its limit of memory or CPU time on these arguments)")
        finally:
            self.seconds += time.monotonic() - started

    def _start(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            return
        self.close()
        self._err = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        try:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-I",
                    "-m",
                    "autograder.execution.reference_server",
                    str(REFERENCE_MEMORY),
                    str(REFERENCE_CPU),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._err,
                env=env,
            )
            reply = self._read_reply(time.monotonic() + 120)
        except (OSError, EOFError, ValueError, _Late) as exc:
            said = self._said()
            self.close()
            raise StandInsUnavailable(
                f"the grader's reference process did not start ({type(exc).__name__}: {exc}) {said}".strip()
            ) from None
        if json.loads(reply[16 : 16 + struct.unpack_from("<Q", reply)[0]]).get("ready") is not True:
            raise StandInsUnavailable("the grader's reference process did not greet")

    def _said(self) -> str:
        try:
            self._err.seek(0)
            return self._err.read()[-500:].decode("utf-8", "replace")
        except (OSError, AttributeError):
            return ""

    def _write(self, data: bytes, deadline: float) -> None:
        fd, view = self.proc.stdin.fileno(), memoryview(data)
        os.set_blocking(fd, False)
        while view:
            if time.monotonic() > deadline:
                raise _Late
            if select.select([], [fd], [], 0.5)[1]:
                try:
                    view = view[os.write(fd, view[: 1 << 20]) :]
                except BlockingIOError:
                    continue

    def _read(self, n: int, deadline: float) -> bytes:
        fd, chunks, got = self.proc.stdout.fileno(), [], 0
        while got < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Late
            if not select.select([fd], [], [], min(remaining, 0.5))[0]:
                continue
            chunk = os.read(fd, min(n - got, 1 << 20))
            if not chunk:
                raise EOFError("the reference process ended")
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def _read_reply(self, deadline: float) -> bytes:
        head = self._read(16, deadline)
        nh, npay = struct.unpack("<QQ", head)
        if nh > MAX_CALL_HEADER * 16 or npay > MAX_ANSWER_BYTES:
            raise ValueError("an answer larger than the grader passes on")
        return head + self._read(nh + npay, deadline)

    def close(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            for f in (self.proc.stdin, self.proc.stdout):
                try:
                    f.close()
                except OSError:
                    pass
            self.proc = None
        if self._err is not None:
            self._err.close()
            self._err = None


class _Late(Exception):
    pass


def error_frame(why: str) -> bytes:
    head = json.dumps({"ok": False, "error": why}).encode()
    return struct.pack("<QQ", len(head), 0) + head


class StandIns:
    """The stand-ins installed in one worker: the items they stand in for, and the names they answer."""

    def __init__(self, items: tuple[str, ...], process: ReferenceProcess):
        self.items, self.process = items, process
        self.spec = spec(names_of(items))

    def refusal(self, header: dict, nh: int, npay: int) -> str:
        """Why a callback frame is not answered ("" when it is): the worker is stopped then."""
        name, method = header.get("callback"), header.get("method")
        if name not in self.spec:
            return f"called the grader back for {str(name)[:40]!r}, which has no stand-in here"
        methods = self.spec[name].get("methods")
        if method is not None and (methods is None or (method != "__init__" and method not in methods)):
            return f"called the grader back for {name}.{str(method)[:40]}, which has no stand-in"
        if nh > MAX_CALL_HEADER or npay > MAX_CALL_BYTES:
            return f"sent the grader's correct version of {name} more than its stand-in sends"
        return ""

    def answer(self, header: dict, payload: bytes, deadline: float) -> bytes:
        """The frame to write back to the worker."""
        request = {
            "call": header["callback"],
            "method": header.get("method"),
            "args": header.get("args"),
            "kwargs": header.get("kwargs"),
            "state": header.get("state"),
            "seed": header.get("seed") if isinstance(header.get("seed"), int) else 0,
        }
        head = json.dumps(request).encode()
        return self.process.ask(struct.pack("<QQ", len(head), len(payload)) + head + payload, deadline)

    def install_header(self) -> dict:
        """The worker's request that installs them."""
        return {"op": "stand_in", "names": self.spec, "max_bytes": MAX_CALL_BYTES, "max_header": MAX_CALL_HEADER}
