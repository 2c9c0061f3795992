"""The process that computes the grader's correct versions of the items student code calls (the
stand-ins of :mod:`.stand_ins`): the reference solution, run on the arguments a worker's stand-in
sent, outside the sandbox and apart from the grader.

A process of its own, not the grader's: what the arguments ask of the reference is bounded by
this process's own memory and CPU limits (an ``affine_forward`` of x (N, 1) and w (1, M) asks for
an N x M output: a MemoryError here, not the grader's machine swapping), and the grader kills it
when one answer takes too long. It holds the reference and no student code; it reads frames of
plain values (numbers, strings, numeric arrays: :mod:`.worker`'s codec, no pickles) and answers
with values, never objects.

Request: ``{"call": name, "method": None | m, "state": attributes | None, "args", "kwargs", "seed"}``
and the arrays. ``method`` "__init__" builds an object of the class ``name`` and answers its
attributes; another method is called on an object rebuilt from ``state`` (the attributes the
worker's instance holds) and answers the value and the attributes it changed. Arrays the answer
holds that are arguments as sent (a cache ``(x, w, b)``) go back as references to them: the
worker puts its own arrays there, and nothing crosses twice.

    python -I -m autograder.execution.reference_server MEMORY_BYTES CPU_SECONDS
"""

from __future__ import annotations

import resource
import sys
from typing import Any, BinaryIO

import numpy as np

from autograder.sandbox.watchdog import die_with_parent

from .worker import Codec, decode, read_frame, write_frame

SENT = "sent:"  # an answer's array that is the argument array of that key, as the worker sent it


class _Answer(Codec):
    """Encodes an answer: plain values only, and the arrays that were sent as references to them."""

    def __init__(self, sent: dict[str, np.ndarray]):
        super().__init__()
        self.sent = {id(array): key for key, array in sent.items()}

    def encode(self, value: Any, keep_as_handle: bool = False) -> Any:
        if isinstance(value, np.ndarray) and id(value) in self.sent:
            return {"array": SENT + self.sent[id(value)]}
        if isinstance(value, tuple):
            return {"tuple": [self.encode(v) for v in value]}
        if isinstance(value, list):
            return {"list": [self.encode(v) for v in value]}
        if isinstance(value, dict) and all(isinstance(k, str) for k in value):
            return {"dict": {k: self.encode(v) for k, v in value.items()}}
        return super().encode(value, keep_as_handle)

    def _handle(self, value: Any) -> dict:
        raise TypeError(f"the correct version returned a {type(value).__name__}, which cannot be sent")


def _no_handles(ref: Any, type_name: str = "") -> Any:
    raise TypeError(f"a stand-in takes numbers and arrays, not objects ({type_name or 'an object'})")


def _same(before: Any, after: Any) -> bool:
    """Whether an attribute is as the worker sent it: the same object, and for a dict of them
    (``params``), the same objects under the same keys."""
    if isinstance(before, dict) and isinstance(after, dict):
        return before.keys() == after.keys() and all(_same(before[k], after[k]) for k in before)
    return before is after


def answer(reference: Any, header: dict, arrays: dict[str, np.ndarray]) -> tuple[dict, dict[str, np.ndarray]]:
    """The reply to one request (see the module's doc)."""
    name, method = header["call"], header.get("method")
    target = getattr(reference, name)
    args = decode(header.get("args", {"tuple": []}), arrays, _no_handles)
    kwargs = decode(header.get("kwargs", {"dict": {}}), arrays, _no_handles)
    if not isinstance(args, tuple) or not isinstance(kwargs, dict):
        raise TypeError("malformed arguments")
    np.random.seed(int(header.get("seed") or 0) % 2**32)
    codec = _Answer(arrays)
    if method is None:
        return {"ok": True, "value": codec.encode(target(*args, **kwargs))}, codec.arrays
    if method.startswith("_") and method != "__init__":
        raise AttributeError(f"{name} has no stand-in for {method}")
    if method == "__init__":
        obj = target(*args, **kwargs)
        return {"ok": True, "state": codec.encode(dict(vars(obj)))}, codec.arrays
    state = decode(header.get("state") or {"dict": {}}, arrays, _no_handles)
    obj = object.__new__(target)
    vars(obj).update({k: (dict(v) if isinstance(v, dict) else v) for k, v in state.items()})
    value = getattr(obj, method)(*args, **kwargs)
    changed = {k: v for k, v in vars(obj).items() if k not in state or not _same(state[k], v)}
    return {"ok": True, "value": codec.encode(value), "state": codec.encode(changed)}, codec.arrays


def serve(reference: Any, rfile: BinaryIO, wfile: BinaryIO) -> None:
    while True:
        try:
            header, arrays = read_frame(rfile)
        except EOFError:
            return
        try:
            reply, out = answer(reference, header, arrays)
        except MemoryError:
            reply, out = {"ok": False, "error": "asks for more memory than the grader gives its correct versions"}, {}
        except Exception as exc:  # noqa: BLE001 - what the reference raised on these arguments, said
            reply, out = {"ok": False, "error": f"{type(exc).__name__}: {str(exc)[:300]}"}, {}
        write_frame(wfile, reply, out)


def main(argv: list[str]) -> None:
    if not die_with_parent():  # nothing of a grading outlives it; the grader is already gone
        return
    memory, cpu = int(argv[0]), int(argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    from autograder.course.reference import reference

    rfile, wfile = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing the reference prints may enter the protocol
    write_frame(wfile, {"ready": True}, {})
    serve(reference(), rfile, wfile)


if __name__ == "__main__":
    main(sys.argv[1:])
