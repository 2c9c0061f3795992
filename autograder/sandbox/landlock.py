"""Landlock: the kernel's own file-system confinement for an unprivileged process (Linux 5.13+),
used where bubblewrap is not: a process restricts itself to the folders it is given, and no
privilege, not even root's, lifts it again. Called through ``ctypes`` (Python has no binding).

A :class:`Ruleset` is built in the grader's process (opening the folders needs the grader's
rights) and applied in the child between fork and exec (:meth:`Ruleset.restrict`, async-signal
safe: two system calls). What it handles depends on the kernel's Landlock ABI:

========  =====================================================================================
ABI 1-3   files: read, write, execute, create, remove, rename across folders (2), truncate (3)
ABI 4     TCP: bind and connect (refused: no rule allows a port)
ABI 6     scopes: signals to and abstract unix sockets of processes outside the sandbox
========  =====================================================================================

UDP and other protocols are not covered by any ABI yet: without bubblewrap they are not blocked.
"""

from __future__ import annotations

import ctypes
import functools
import os
from collections.abc import Iterable
from pathlib import Path

# System calls and flags of <linux/landlock.h> (the same numbers on every architecture).
_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR, MAKE_REG = 1 << 4, 1 << 5, 1 << 6, 1 << 7, 1 << 8
MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM, REFER, TRUNCATE = 1 << 9, 1 << 10, 1 << 11, 1 << 12, 1 << 13, 1 << 14
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE  # the only rights a rule on a file may carry
READ = EXECUTE | READ_FILE | READ_DIR
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class LandlockError(OSError):
    pass


@functools.lru_cache(maxsize=1)
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


ENV = "AUTOGRADER_LANDLOCK"  # "none": no Landlock, on purpose (the tests, to show the plain fallback)


@functools.lru_cache(maxsize=1)
def abi() -> int:
    """The kernel's Landlock ABI version, 0 when Landlock is missing or disabled (or :data:`ENV`)."""
    if os.environ.get(ENV, "auto") == "none":
        return 0
    try:
        version = _libc().syscall(_CREATE_RULESET, None, ctypes.c_size_t(0), _CREATE_RULESET_VERSION)
    except (OSError, AttributeError):
        return 0
    return max(0, version)


def handled_fs(version: int) -> int:
    rights = (1 << 13) - 1  # ABI 1: EXECUTE .. MAKE_SYM
    if version >= 2:
        rights |= REFER
    if version >= 3:
        rights |= TRUNCATE
    return rights  # IOCTL_DEV (ABI 5) is left alone: opening a device already needs a read or write right


def describe(version: int | None = None) -> str:
    version = abi() if version is None else version
    if not version:
        return "no Landlock"
    covers = ["files"]
    if version >= 4:
        covers.append("TCP")
    if version >= 6:
        covers.append("signals and abstract sockets")
    return f"Landlock ABI {version} ({', '.join(covers)})"


class Ruleset:
    """The folders (and single files) one sandboxed process may use, and how."""

    def __init__(self) -> None:
        version = abi()
        if not version:
            raise LandlockError("Landlock is not available in this kernel")
        self.version = version
        self.handled = handled_fs(version)
        attr = _RulesetAttr(self.handled, NET_BIND_TCP | NET_CONNECT_TCP if version >= 4 else 0, 0)
        if version >= 6:
            attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
        size = 8 if version < 4 else 16 if version < 6 else 24
        fd = _libc().syscall(_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0)
        if fd < 0:
            raise LandlockError(ctypes.get_errno(), f"landlock_create_ruleset: {os.strerror(ctypes.get_errno())}")
        self.fd = fd
        os.set_inheritable(fd, False)
        self._syscall = _libc().syscall
        self._prctl = _libc().prctl

    def allow(self, path: Path | str | int, rights: int) -> None:
        """Allow ``rights`` beneath ``path`` (a folder, a file, or an open descriptor of one)."""
        opened = isinstance(path, int)
        fd = path if opened else os.open(path, os.O_PATH | os.O_CLOEXEC)
        try:
            if not os.path.isdir(f"/proc/self/fd/{fd}"):
                rights &= FILE_RIGHTS
            attr = _PathBeneathAttr(rights & self.handled, fd)
            if self._syscall(_ADD_RULE, self.fd, _RULE_PATH_BENEATH, ctypes.byref(attr), 0) != 0:
                err = ctypes.get_errno()
                raise LandlockError(err, f"landlock_add_rule({path}): {os.strerror(err)}")
        finally:
            if not opened:
                os.close(fd)

    def allow_all(self, paths: Iterable[Path | str], rights: int) -> None:
        """:meth:`allow` for each of ``paths`` that exists."""
        for path in paths:
            if os.path.exists(path):
                self.allow(path, rights)

    def restrict(self) -> None:
        """In the child, before exec: from now on this process and its children use only what was
        allowed, and this process its own /proc folder (``/proc/self/maps``: threadpoolctl; not
        its children's, nor any other process's). ``no_new_privs`` first, as Landlock requires
        (and so no set-uid program regains what the sandbox took)."""
        own = os.open("/proc/self", os.O_PATH | os.O_CLOEXEC)
        try:
            self.allow(own, READ_FILE | READ_DIR)
        finally:
            os.close(own)
        if self._prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or self._syscall(_RESTRICT_SELF, self.fd, 0) != 0:
            raise LandlockError(ctypes.get_errno(), "landlock_restrict_self failed")  # never run unconfined

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
