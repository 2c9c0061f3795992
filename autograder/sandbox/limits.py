"""The limits of one sandboxed process, and the resource limits (rlimits) that hold them on any
Linux host, cgroup or not."""

from __future__ import annotations

import resource
from dataclasses import dataclass

GiB = 1024**3
MiB = 1024**2


@dataclass(frozen=True)
class Limits:
    """Limits of one sandboxed process and everything it starts."""

    memory_bytes: int = 4 * GiB  # address space of each process (RLIMIT_AS); all of them (cgroup)
    cpu_seconds: int = 600  # CPU time of each process (RLIMIT_CPU)
    file_bytes: int = 64 * MiB  # largest file it may write, its output included (RLIMIT_FSIZE)
    processes: int = 64  # processes and threads together (cgroup pids, or RLIMIT_NPROC of its own user)
    threads: int = 1  # BLAS threads


def apply_rlimits(limits: Limits, nproc: bool) -> None:
    """In the child, before exec. RLIMIT_NPROC counts every process and thread of the real user,
    so it is set only where that user is the sandbox's own (``nproc``), and it does not hold
    for root at all."""
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if nproc:
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
