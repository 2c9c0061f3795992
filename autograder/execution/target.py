"""The checks' view of a worker: :class:`RemoteTarget` implements the ``Target`` of
``twolayer.checks.targets`` over a :class:`~autograder.execution.remote.WorkerProcess`, so that the very
same checks a student's notebook runs in-process run here against the sandboxed process. Values
cross as plain data; objects of the student's stay in the worker, held here as handles (:class:`Handle`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from twolayer.checks.targets import StudentCodeError

from .worker import Codec, decode

if TYPE_CHECKING:
    from .remote import WorkerProcess
    from .stand_ins import StandIns


class Handle:
    """An object that stays in the worker (a cache, a model): the grader holds a reference to it."""

    def __init__(self, ref: Any, type_name: str = ""):
        self.ref = ref
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<{self.type_name or 'object'}>"


class RemoteTarget:
    """The ``Target`` of the checks, backed by a :class:`WorkerProcess`."""

    def __init__(self, worker: WorkerProcess):
        self.worker = worker
        self._handles: dict[int, Handle] = {}

    def _resolve(self, ref: int, type_name: str = "") -> Handle:
        handle = self._handles.get(ref)
        if handle is None:
            handle = self._handles[ref] = Handle(ref, type_name)
        return handle

    def _encode(self, values: Any) -> tuple[Any, dict[str, np.ndarray]]:
        codec = _GraderCodec()
        return codec.encode(values), codec.arrays

    def _ask(self, header: dict, arrays: dict[str, np.ndarray]) -> dict:
        reply, out_arrays = self.worker.request(header, arrays)
        if not reply.get("ok"):
            raise StudentCodeError(reply.get("error", "failed"), reply.get("kind", "error"))
        reply["_arrays"] = out_arrays
        return reply

    def _value(self, reply: dict, key: str = "value") -> Any:
        try:
            return decode(reply[key], reply["_arrays"], self._resolve)
        except Exception as exc:  # a malformed reply: the student's code wrote into the pipe
            raise StudentCodeError(f"returned something the grader cannot read ({type(exc).__name__})") from None

    def has(self, name: str) -> bool:
        return bool(self._ask({"op": "has", "name": name}, {})["value"])

    def _call(
        self,
        obj: Handle | None,
        name: str,
        args: tuple,
        kwargs: dict,
        keep: Iterable[int] = (),
        track: bool = False,
        keep_all: bool = False,
    ) -> Any:
        payload, arrays = self._encode((args, kwargs))
        header = {
            "op": "call",
            "obj": obj.ref if obj is not None else None,
            "name": name,
            "args": payload["tuple"][0],
            "kwargs": payload["tuple"][1],
            "keep": list(keep),
            "track": track,
            "keep_all": keep_all,
        }
        reply = self._ask(header, arrays)
        value = self._value(reply)
        if track:
            return value, self._value(reply, "args_after")
        return value

    def call(self, name: str, *args: Any, keep: Iterable[int] = (), track: bool = False) -> Any:
        return self._call(None, name, args, {}, keep, track)

    def new(self, cls: str, **kwargs: Any) -> Handle:
        return self._call(None, cls, (), kwargs, keep_all=True)

    def method(self, obj: Handle, name: str, *args: Any, keep: Iterable[int] = (), track: bool = False) -> Any:
        return self._call(obj, name, args, {}, keep, track)

    def get(self, obj: Handle | None, name: str) -> Any:
        return self._value(self._ask({"op": "get", "obj": obj.ref if obj else None, "name": name}, {}))

    def set(self, obj: Handle, name: str, value: Any, key: str | None = None) -> None:
        payload, arrays = self._encode(value)
        self._ask({"op": "set", "obj": obj.ref, "name": name, "key": key, "value": payload}, arrays)

    def install_stand_ins(self, stand_ins: StandIns) -> None:
        """Put the grader's correct versions of ``stand_ins.items`` in place of the student's code."""
        self.worker.stand_ins = stand_ins
        self._ask(stand_ins.install_header(), {})

    def exec_cell(self, cell_id: str, source: str, timeout: float | None = None) -> dict:
        reply, _ = self.worker.request({"op": "exec", "id": cell_id, "source": source}, {}, timeout=timeout)
        return reply


class _GraderCodec(Codec):
    """Encodes the grader's values; handles go back as references to the worker's objects."""

    def encode(self, value: Any, keep_as_handle: bool = False) -> Any:
        if isinstance(value, Handle):
            return {"handle": value.ref, "type": value.type_name}
        if isinstance(value, tuple):
            return {"tuple": [self.encode(v) for v in value]}
        if isinstance(value, list):
            return {"list": [self.encode(v) for v in value]}
        if isinstance(value, dict):
            return {"dict": {k: self.encode(v) for k, v in value.items()}}
        return super().encode(value, keep_as_handle)

    def _handle(self, value: Any) -> dict:
        raise TypeError(f"cannot send a {type(value).__name__} to the worker")
