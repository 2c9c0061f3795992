"""Targets: how a check calls the code under test.

Here :class:`LocalTarget` calls the functions of a notebook's namespace directly; the grader
uses a target that calls them in a separate, sandboxed process. Either way a check gets back
copies of plain values (arrays, numbers, tuples, dicts), and objects such as a cache or a model
that stay with the code under test.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import numpy as np


class StudentCodeError(Exception):
    """The code under test raised an exception, timed out or could not run."""

    def __init__(self, message: str, kind: str = "error"):
        super().__init__(message)
        self.kind = kind  # "error", "not_implemented", "missing", "timeout", "crash"


class Target(Protocol):
    """What a check needs from the code it checks. Objects that are not plain data (a cache, a
    model) come back as references to pass back in, never to look into."""

    def has(self, name: str) -> bool: ...

    def call(self, name: str, *args: Any, keep: Iterable[int] = (), track: bool = False) -> Any: ...

    def new(self, cls: str, **kwargs: Any) -> Any: ...

    def method(self, obj: Any, name: str, *args: Any, keep: Iterable[int] = (), track: bool = False) -> Any: ...

    def get(self, obj: Any, name: str) -> Any: ...

    def set(self, obj: Any, name: str, value: Any, key: str | None = None) -> None: ...


def describe_exception(exc: BaseException, tb: Any = None) -> tuple[str, str]:
    """A one-line account of an exception raised by student code, and its kind."""
    if isinstance(exc, NotImplementedError):
        return "is not implemented yet (it raised NotImplementedError)", "not_implemented"
    where = ""
    frames = traceback.extract_tb(tb or exc.__traceback__)
    user = [fr for fr in frames if "twolayer" not in fr.filename and "autograder" not in fr.filename]
    if user:
        fr = user[-1]
        where = f" at `{(fr.line or '').strip()}`" if fr.line else ""
    return f"raised {type(exc).__name__}: {exc}{where}", "error"


def _plain(value: Any) -> Any:
    """What a remote target would give back: copies, so that checks never share arrays."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class LocalTarget:
    """Calls the code of a notebook namespace (``globals()``) in this process."""

    def __init__(self, namespace: dict[str, Any]):
        self.ns = namespace

    def has(self, name: str) -> bool:
        return name in self.ns

    def _lookup(self, name: str) -> Any:
        if name not in self.ns:
            raise StudentCodeError(f"`{name}` is not defined: run its cell first", "missing")
        return self.ns[name]

    def _invoke(self, fn: Callable, args: tuple, keep: Iterable[int], track: bool) -> Any:
        args = tuple(_plain(a) for a in args)
        try:
            result = fn(*args)
        except Exception as exc:  # student code may raise anything
            message, kind = describe_exception(exc)
            raise StudentCodeError(message, kind) from None
        keep = set(keep)
        if keep and isinstance(result, tuple):
            result = tuple(v if i in keep else _plain(v) for i, v in enumerate(result))
        else:
            result = _plain(result)
        return (result, tuple(_plain(a) for a in args)) if track else result

    def call(self, name: str, *args: Any, keep: Iterable[int] = (), track: bool = False) -> Any:
        return self._invoke(self._lookup(name), args, keep, track)

    def new(self, cls: str, **kwargs: Any) -> Any:
        klass = self._lookup(cls)
        try:
            return klass(**kwargs)
        except Exception as exc:  # deliberate: the code under test may raise anything
            message, kind = describe_exception(exc)
            raise StudentCodeError(message, kind) from None

    def method(self, obj: Any, name: str, *args: Any, keep: Iterable[int] = (), track: bool = False) -> Any:
        return self._invoke(getattr(obj, name), args, keep, track)

    def get(self, obj: Any, name: str) -> Any:
        if obj is None:
            return _plain(self._lookup(name))
        if not hasattr(obj, name):
            raise StudentCodeError(f"has no attribute `{name}`", "missing")
        return _plain(getattr(obj, name))

    def set(self, obj: Any, name: str, value: Any, key: str | None = None) -> None:
        value = _plain(value)
        if key is None:
            setattr(obj, name, value)
        else:
            getattr(obj, name)[key] = value
