"""The process that runs a student's code for the grader.

It runs inside the sandbox (see ``autograder/sandbox/``), imports nothing of the grader (only the
standard library and numpy) and answers the grader's requests over two pipes:

- ``exec``: run cells (the course's locked cells and the student's answer cells);
- ``call``/``get``/``set``/``has``: call a function or method of the student's code,
  read or change an attribute;
- ``stand_in``: put the grader's correct versions of items in place of the student's: functions
  (and classes) that send their arguments back to the grader in the middle of a request and
  return its answer (``autograder/execution/stand_ins.py``; nothing of the reference is here).

Values travel as JSON plus the raw bytes of numeric arrays (:func:`pack_arrays`; never pickles):
only arrays, numbers, strings and containers of them. Anything else (a cache, a model) stays here
and the grader gets a handle to it. No verdict is computed in this process: it only reports
what the student's code returned.
"""

from __future__ import annotations

import errno
import json
import linecache
import os
import struct
import sys
import traceback
from typing import Any, BinaryIO

import numpy as np

MAX_MESSAGE = 2000


# --------------------------------------------------------------------------- framing ---


# Arrays are numbers only (the codec sends nothing else as an array): a JSON list of [name, dtype,
# shape], then each array's bytes in that order. Written and read without numpy's .npz (a zip of
# .npy files), which cost about 0.4 s of CPU per submission over ~1000 requests.
ARRAY_KINDS = "biuf"


def pack_arrays(arrays: dict[str, np.ndarray]) -> bytes:
    if not arrays:
        return b""
    spec, blobs = [], []
    for name, value in arrays.items():
        value = value if value.flags.c_contiguous else value.copy(order="C")  # 0-d stays 0-d
        spec.append([name, value.dtype.str, list(value.shape)])
        blobs.append(value.tobytes())
    head = json.dumps(spec).encode()
    return struct.pack("<Q", len(head)) + head + b"".join(blobs)


def unpack_arrays(payload: bytes) -> dict[str, np.ndarray]:
    """The inverse of :func:`pack_arrays`; ValueError for anything else (the other side may be
    student code writing into the pipe): numeric dtypes only, every byte accounted for."""
    if not payload:
        return {}
    (n,) = struct.unpack_from("<Q", payload)
    spec = json.loads(payload[8 : 8 + n])
    offset, arrays = 8 + n, {}
    for name, dtype, shape in spec:
        dt = np.dtype(dtype) if isinstance(dtype, str) else None
        if dt is None or dt.kind not in ARRAY_KINDS or dt.fields is not None or dt.subdtype is not None:
            raise ValueError(f"not a numeric array: {dtype!r}")
        if not isinstance(name, str) or not all(type(d) is int and d >= 0 for d in shape):
            raise ValueError("malformed array")
        count = int(np.prod(shape, dtype=np.int64))
        end = offset + count * dt.itemsize
        if end > len(payload):
            raise ValueError("truncated array")
        arrays[name] = np.frombuffer(payload, dt, count, offset).reshape(shape).copy()
        offset = end
    if offset != len(payload):
        raise ValueError("trailing bytes")
    return arrays


def write_frame(stream: BinaryIO, header: dict, arrays: dict[str, np.ndarray]) -> None:
    head = json.dumps(header).encode()
    payload = pack_arrays(arrays)
    stream.write(struct.pack("<QQ", len(head), len(payload)) + head + payload)
    stream.flush()


def read_exact(stream: BinaryIO, n: int) -> bytes:
    chunks = []
    while n:
        chunk = stream.read(n)
        if not chunk:
            raise EOFError("the other side closed the pipe")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def read_frame(stream: BinaryIO) -> tuple[dict, dict[str, np.ndarray]]:
    nh, np_ = struct.unpack("<QQ", read_exact(stream, 16))
    header = json.loads(read_exact(stream, nh))
    return header, unpack_arrays(read_exact(stream, np_) if np_ else b"")


# -------------------------------------------------------------------------- encoding ---


class Codec:
    """Turns values into JSON + arrays; objects that are not plain data become handles."""

    def __init__(self, handles: dict[int, Any] | None = None):
        self.handles = handles if handles is not None else {}
        self.arrays: dict[str, np.ndarray] = {}

    def _array(self, value: np.ndarray) -> str:
        key = f"a{len(self.arrays)}"
        self.arrays[key] = value
        return key

    def encode(self, value: Any, keep_as_handle: bool = False) -> Any:
        if keep_as_handle:
            return self._handle(value)
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, int):
            return {"int": str(value)}
        if isinstance(value, float):
            return {"float": float(value).hex()}
        if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
            return {"array": self._array(value)}
        if isinstance(value, np.generic) and value.dtype.kind in "biuf":
            return {"scalar": self._array(np.asarray(value))}
        if isinstance(value, tuple):
            return {"tuple": [self.encode(v) for v in value]}
        if isinstance(value, list):
            return {"list": [self.encode(v) for v in value]}
        if isinstance(value, dict) and all(isinstance(k, str) for k in value):
            return {"dict": {k: self.encode(v) for k, v in value.items()}}
        if isinstance(value, (set, frozenset)) and all(
            isinstance(v, (int, str, np.integer)) and not isinstance(v, bool) for v in value
        ):
            return {"set": [self.encode(int(v) if isinstance(v, np.integer) else v) for v in value]}
        return self._handle(value)

    def _handle(self, value: Any) -> dict:
        ref = id(value)
        self.handles[ref] = value
        return {"handle": ref, "type": type(value).__name__}


def decode(value: Any, arrays: dict[str, np.ndarray], resolve: Any) -> Any:
    """The inverse of :meth:`Codec.encode`; ``resolve(ref)`` turns a handle into its object."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return value
    if "handle" in value:
        return resolve(value["handle"], value.get("type", ""))
    ((tag, inner),) = value.items()
    if tag == "int":
        return int(inner)
    if tag == "float":
        return float.fromhex(inner)
    if tag == "array":
        return arrays[inner]
    if tag == "scalar":
        return arrays[inner][()]
    if tag == "tuple":
        return tuple(decode(v, arrays, resolve) for v in inner)
    if tag == "list":
        return [decode(v, arrays, resolve) for v in inner]
    if tag == "dict":
        return {k: decode(v, arrays, resolve) for k, v in inner.items()}
    if tag == "set":
        return {decode(v, arrays, resolve) for v in inner}
    if tag == "handle":
        return resolve(inner, value.get("type", ""))
    raise ValueError(f"unknown tag {tag!r}")


# ---------------------------------------------------------------------- stand-ins ---

SENT = "sent:"  # in a stand-in's answer: the array the worker sent under that key (the caller's own)
STANDING_IN = "the grader's correct version of {} (standing in for yours, which fails its own checks)"


class StandInError(RuntimeError):
    """The grader's correct version of an item, standing in for the student's, could not answer."""


class _Values(Codec):
    """A stand-in's arguments: numbers, strings, arrays and containers of them, never objects."""

    def __init__(self, name: str):
        super().__init__()
        self.name = name

    def _handle(self, value: Any) -> dict:
        raise StandInError(f"{STANDING_IN.format(self.name)} takes numbers and arrays, not a {type(value).__name__}")


def _stand_in(call_back: Any, name: str, spec: dict) -> Any:
    """A function, or a class whose methods are such functions, that calls the grader back."""
    if spec["kind"] != "class":

        def stand_in(*args: Any, **kwargs: Any) -> Any:
            return call_back(name, None, None, args, kwargs)[0]

        stand_in.__name__ = stand_in.__qualname__ = name
        return stand_in

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        seed = int(np.random.randint(2**31))  # its random draws follow the student's seeded state
        vars(self).update(call_back(name, "__init__", None, args, kwargs, seed)[1])

    def method(m: str) -> Any:
        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            value, changed = call_back(name, m, vars(self), args, kwargs)
            vars(self).update(changed)
            return value

        call.__name__ = call.__qualname__ = m
        return call

    return type(name, (), {"__init__": __init__, **{m: method(m) for m in spec["methods"]}})


# ------------------------------------------------------------------------ the worker ---


def _strip_magics(source: str) -> str:
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        return "pass\n"
    return "\n".join(
        (line[: len(line) - len(line.lstrip())] + "pass") if line.lstrip().startswith(("%", "!")) else line
        for line in lines
    )


def _describe(exc: BaseException) -> dict:
    frames = [fr for fr in traceback.extract_tb(exc.__traceback__) if fr.filename.startswith("<cell")]
    where = ""
    if frames:
        fr = frames[-1]
        where = f" at `{(fr.line or '').strip()}` ({fr.filename[1:-1]}, line {fr.lineno})"
    kind = "not_implemented" if isinstance(exc, NotImplementedError) else "error"
    message = f"raised {type(exc).__name__}: {exc}"[:MAX_MESSAGE] + where
    if isinstance(exc, MemoryError):
        message = "ran out of memory (MemoryError)" + where
    elif isinstance(exc, OSError) and exc.errno == 27:
        message = "wrote too much output or too large a file (File too large)" + where
    elif (isinstance(exc, OSError) and exc.errno == errno.EAGAIN) or "can't start new thread" in str(exc):
        message = (
            "could not start a process or thread: it reached the sandbox's limit of processes and "
            "threads (does it start them and leave them running?)" + where
        )
    if kind == "not_implemented":
        message = "is not implemented yet (it raised NotImplementedError)"
    return {"ok": False, "error": message, "kind": kind}


class Worker:
    def __init__(self, rfile: BinaryIO, wfile: BinaryIO):
        self.rfile, self.wfile = rfile, wfile
        self.ns: dict[str, Any] = {"__name__": "__main__", "__builtins__": __builtins__}
        self.handles: dict[int, Any] = {}
        self.pid = os.getpid()
        self.call_limits = (0, 0)  # a stand-in's most bytes of arrays and of header in one call

    def resolve(self, ref: int, type_name: str = "") -> Any:
        if ref not in self.handles:
            raise KeyError(f"unknown handle {ref}")
        return self.handles[ref]

    def serve(self) -> None:
        while True:
            try:
                header, arrays = read_frame(self.rfile)
            except EOFError:
                return
            codec = Codec(self.handles)
            try:
                reply = getattr(self, "op_" + header["op"])(header, arrays, codec)
            except Exception as exc:  # student code (or a bad request) failed
                reply = _describe(exc)
            except SystemExit as exc:
                reply = {"ok": False, "error": f"called sys.exit({exc.code!r})", "kind": "error"}
            except BaseException as exc:  # KeyboardInterrupt and the like
                reply = {"ok": False, "error": f"raised {type(exc).__name__}", "kind": "error"}
            if os.getpid() != self.pid:  # a process the student's code forked: it must not answer
                os._exit(0)
            sys.stdout.flush()
            sys.stderr.flush()
            reply["seq"] = header.get("seq")
            write_frame(self.wfile, reply, codec.arrays)
            if header["op"] == "quit":
                return

    # --- operations -----------------------------------------------------------------

    def op_quit(self, header: dict, arrays: dict, codec: Codec) -> dict:
        return {"ok": True}

    def op_exec(self, header: dict, arrays: dict, codec: Codec) -> dict:
        name = f"<cell {header['id']}>"
        source = _strip_magics(header["source"])
        linecache.cache[name] = (len(source), None, source.splitlines(True), name)
        try:
            code = compile(source, name, "exec")
        except SyntaxError as exc:
            return {"ok": False, "kind": "syntax", "error": f"has a syntax error at line {exc.lineno}: {exc.msg}"}
        try:
            exec(code, self.ns)  # deliberate: the student's cell, inside the sandbox
        except SystemExit as exc:
            return {"ok": False, "kind": "error", "error": f"called sys.exit({exc.code!r})"}
        except Exception as exc:  # deliberate: student code may raise anything
            return _describe(exc)
        return {"ok": True}

    def _target(self, header: dict) -> Any:
        if header.get("obj") is not None:
            obj = self.resolve(header["obj"])
            return getattr(obj, header["name"])
        return self.ns[header["name"]]

    def op_has(self, header: dict, arrays: dict, codec: Codec) -> dict:
        return {"ok": True, "value": header["name"] in self.ns}

    def op_call(self, header: dict, arrays: dict, codec: Codec) -> dict:
        if header.get("obj") is None and header["name"] not in self.ns:
            return {"ok": False, "kind": "missing", "error": f"`{header['name']}` is not defined"}
        fn = self._target(header)
        args = decode(header["args"], arrays, self.resolve)
        kwargs = decode(header["kwargs"], arrays, self.resolve)
        result = fn(*args, **kwargs)
        keep = set(header.get("keep", ()))
        if header.get("keep_all"):
            value = codec.encode(result, keep_as_handle=True)
        elif keep and isinstance(result, tuple):
            value = {"tuple": [codec.encode(v, keep_as_handle=i in keep) for i, v in enumerate(result)]}
        else:
            value = codec.encode(result)
        reply = {"ok": True, "value": value}
        if header.get("track"):
            reply["args_after"] = codec.encode(tuple(args))
        return reply

    def op_get(self, header: dict, arrays: dict, codec: Codec) -> dict:
        if header.get("obj") is None and header["name"] not in self.ns:
            return {"ok": False, "kind": "missing", "error": f"`{header['name']}` is not defined"}
        try:
            value = self._target(header)
        except AttributeError:
            return {"ok": False, "kind": "missing", "error": f"has no attribute `{header['name']}`"}
        return {"ok": True, "value": codec.encode(value)}

    def op_stand_in(self, header: dict, arrays: dict, codec: Codec) -> dict:
        """Put the grader's correct versions of some items in place of the student's (``stand_ins.py``)."""
        self.call_limits = (int(header["max_bytes"]), int(header["max_header"]))
        for name, spec in header["names"].items():
            self.ns[name] = _stand_in(self.call_back, name, spec)
        return {"ok": True}

    def call_back(self, name: str, method: str | None, state: Any, args: tuple, kwargs: dict, seed: int = 0) -> tuple:
        """A stand-in's answer, asked of the grader in the middle of a request: (value, changed attributes)."""
        codec = _Values(name)
        call = {"callback": name, "method": method, "state": None if state is None else codec.encode(dict(state))}
        call.update(args=codec.encode(tuple(args)), kwargs=codec.encode(dict(kwargs)), seed=seed)
        head = json.dumps(call).encode()
        size, (max_bytes, max_header) = sum(a.nbytes for a in codec.arrays.values()), self.call_limits
        if size > max_bytes or len(head) > max_header:
            raise StandInError(
                f"{STANDING_IN.format(name)} answers for at most {max_bytes // 1024**2} MB of arrays per call; "
                f"this call sends {size / 1024**2:.0f} MB"
            )
        payload = pack_arrays(codec.arrays)
        self.wfile.write(struct.pack("<QQ", len(head), len(payload)) + head + payload)
        reply, answer = read_frame(self.rfile)
        if not reply.get("ok"):
            raise StandInError(f"{STANDING_IN.format(name)} {reply.get('error', 'failed')}")
        answer.update({SENT + key: value for key, value in codec.arrays.items()})
        return decode(reply.get("value"), answer, self.resolve), decode(
            reply.get("state") or {"dict": {}}, answer, self.resolve
        )

    def op_set(self, header: dict, arrays: dict, codec: Codec) -> dict:
        obj = self.resolve(header["obj"])
        value = decode(header["value"], arrays, self.resolve)
        if header.get("key") is None:
            setattr(obj, header["name"], value)
        else:
            getattr(obj, header["name"])[header["key"]] = value
        return {"ok": True}


def one_blas_thread_after_fork() -> None:
    """OpenBLAS stops its threads at every fork and starts them again at its next call: where the
    student's processes (zombies included) hold every process the sandbox may have, that start
    fails and OpenBLAS waits for its threads forever (seen: a softmax_loss that forked, then the
    Solver's matrix products). From a first fork on, one BLAS thread, which needs none to start.
    Run first in every sandboxed Python: this worker and nbgrader's kernel (whose start-up code
    is this function's source: kernel/confinement.py)."""
    done: list[bool] = []

    def before_fork() -> None:
        if not done:
            done.append(True)
            try:
                from threadpoolctl import threadpool_limits

                threadpool_limits(1, user_api="blas")
            except Exception:  # noqa: BLE001 - no threadpoolctl, no BLAS it knows: nothing to do
                pass

    os.register_at_fork(before=before_fork)


def main() -> None:
    one_blas_thread_after_fork()
    rfd, wfd = int(sys.argv[1]), int(sys.argv[2])
    rfile = os.fdopen(rfd, "rb", buffering=0)
    wfile = os.fdopen(wfd, "wb", buffering=0)
    # The student's prints go to the output file (fd 1 and 2), never into the protocol pipes.
    for extra in sys.argv[3:]:
        sys.path.insert(0, extra)
    # The greeting, from inside the sandbox and before any student code: the grader knows the
    # sandbox started (and as which user), so that a failure before this is never the student's.
    write_frame(wfile, {"ready": True, "uid": os.getuid()}, {})
    Worker(rfile, wfile).serve()


if __name__ == "__main__":
    main()
