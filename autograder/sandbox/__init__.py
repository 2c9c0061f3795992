"""Running untrusted code: contained on whatever Linux host the grader runs on, or not at all.

Student code never runs in the grader's process: it runs in a process of its own that sees only
what its caller gives it, limited in processes and threads, memory, CPU time and output size,
and killed with everything it started when the grading ends, however it ends. The mechanisms
differ from host to host (:mod:`.mechanisms` establishes them by the rule of :mod:`.policy` and
:func:`announce` says which); the guarantees do not. Where they cannot be had, nothing runs:
:class:`SandboxUnavailable` is the grader's failure, reported as such, never the student's.

=================  ==================================================================================
``policy``         fail closed: the containment asked for (recorded, or chosen), :class:`SandboxUnavailable`
``limits``         :class:`Limits`, and the rlimits that hold them on every host
``bwrap``          bubblewrap: the sandbox's own view of the machine (namespaces, neutral paths)
``landlock``       Landlock: confinement of the file system without bubblewrap
``cgroups``        control groups: cgroup v1, cgroup v2 (a subtree it may manage), systemd scopes
``users``          a user of its own per sandboxed process (RLIMIT_NPROC where there is no cgroup)
``watchdog``       without bubblewrap: what kills a sandbox's processes when its grader dies
``mechanisms``     which of those this host has, and the start-up message
``confined``       :class:`Confined`: one sandboxed process, started, watched and cleaned up
``reaper``         what earlier, killed gradings left, reaped by the next one
=================  ==================================================================================

Both users of the sandbox build on :class:`Confined`: the grader's worker (``remote.py``) and
nbgrader's kernel (``autograder/nbgrader/kernel/launcher.py``).
"""

from __future__ import annotations

from . import users
from .bwrap import base_args
from .cgroups import cgroups_of, remove_cgroups, remove_orphan_cgroups
from .confined import WORKDIR, Confined
from .limits import GiB, Limits
from .mechanisms import Mechanisms, announce, mechanisms
from .policy import SandboxUnavailable

__all__ = [
    "GiB",
    "WORKDIR",
    "Confined",
    "Limits",
    "Mechanisms",
    "SandboxUnavailable",
    "announce",
    "base_args",
    "cgroups_of",
    "mechanisms",
    "remove_cgroups",
    "remove_orphan_cgroups",
    "users",
]
