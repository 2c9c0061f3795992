"""Running untrusted code: contained on whatever Linux host the grader runs on.

Student code never runs in the grader's process: it runs in a process of its own that sees only
what its caller gives it, limited in processes and threads, memory, CPU time and output size.
The mechanisms differ from host to host (:mod:`.mechanisms` picks them once and
:func:`announce` says which); the guarantees do not:

=================  ==================================================================================
``limits``         :class:`Limits`, and the rlimits that hold them on every host
``bwrap``          bubblewrap: the sandbox's own view of the machine (namespaces, neutral paths)
``landlock``       Landlock: confinement of the file system without bubblewrap
``cgroups``        control groups: cgroup v1, cgroup v2 (a subtree it may manage), systemd scopes
``users``          a user of its own per sandboxed process (RLIMIT_NPROC where there is no cgroup)
``mechanisms``     which of those this host has, and the start-up message
``confined``       :class:`Confined`: one sandboxed process, started, watched and cleaned up
=================  ==================================================================================

Both users of the sandbox build on :class:`Confined`: the grader's worker (``remote.py``) and
nbgrader's kernel (``autograder/kernel/launcher.py``).
"""

from __future__ import annotations

import sys
import warnings

from . import users
from .bwrap import base_args
from .cgroups import cgroups_of, remove_cgroups, remove_orphan_cgroups
from .confined import WORKDIR, Confined
from .limits import GiB, Limits
from .mechanisms import Mechanisms, announce, mechanisms

__all__ = [
    "GiB",
    "WORKDIR",
    "Confined",
    "Limits",
    "Mechanisms",
    "announce",
    "base_args",
    "bubblewrap",
    "cgroups_of",
    "mechanisms",
    "remove_cgroups",
    "remove_orphan_cgroups",
    "users",
    "warn_if_unconfined",
]


def bubblewrap() -> str | None:
    """The path of the working ``bwrap`` the sandbox uses here, or None."""
    return mechanisms().bwrap


_warned = False


def warn_if_unconfined() -> None:
    """Once per process, loudly: student code runs without bubblewrap here."""
    global _warned
    m = mechanisms()
    if m.bwrap is None and not _warned:
        _warned = True
        what = (
            f"confined by {m.describe()[0].split(': ', 1)[1]}"
            if m.landlock
            else "WITHOUT any file-system or network isolation"
        )
        warnings.warn(
            f"bubblewrap (bwrap) is not available: student code runs {what}, with resource limits in "
            "a separate process. Install Debian's `bubblewrap` package for the full sandbox (README, Security).",
            RuntimeWarning,
            stacklevel=2,
        )
        print(
            f"WARNING: no bubblewrap here: student code runs {what}. Install the `bubblewrap` package.", file=sys.stderr
        )
