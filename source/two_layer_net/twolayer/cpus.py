"""How many CPUs this process can really use, and how many BLAS threads to give numpy.

``os.cpu_count()`` counts the machine's CPUs. A process may use fewer of them:

- its CPU affinity (``taskset``, a container's cpuset, a batch system's allocation);
- its control group's CPU quota (Docker's ``--cpus``, a Kubernetes or JupyterHub CPU limit,
  Gradescope's container): cgroup v2 ``cpu.max``, cgroup v1 ``cpu.cfs_quota_us`` over
  ``cpu.cfs_period_us``;
- its share when several gradings run at once (the grader's ``--jobs``);
- what the other processes running right now leave free.

Threads beyond that cost far more than they bring. OpenBLAS splits every matrix product over its
threads and waits for the last one, so a thread that has no core to itself holds up the whole
product: the CIFAR-10 reference, graded on 2 cores beside two CPU-bound processes, took 193 s
with two BLAS threads and 56 s with one (35 s on the quiet machine). So a thread more is given
only for a whole CPU that nobody else is using now; on digits, whose products are too small to
share, always one.

``threads_for`` is the choice, from the numbers in a ``Cpus``; ``read`` reads those numbers here;
``use_available_cpus`` (the notebook's set-up cell) sets numpy's threads with threadpoolctl.
"""

from __future__ import annotations

import math
import os
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
#: The threads a grader chose for this notebook's training (or was told: ``--blas-threads``); the
#: sandbox sets it beside THREAD_VARIABLES. The set-up cell keeps them rather than choosing again a
#: second later: one choice per grading, and a number forced by the instructor stays forced.
CHOSEN_VARIABLE = "TWOLAYER_BLAS_THREADS"


@dataclass(frozen=True)
class Cpus:
    """What limits the CPUs of a process. None: no such limit, or it cannot be read here."""

    affinity: int  # CPUs it may run on
    quota: float | None = None  # CPUs its control group may use, e.g. 1.5
    online: int | None = None  # the machine's CPUs (what ``others`` is counted against)
    others: float | None = None  # threads of other processes running now, machine-wide
    asked: int | None = None  # threads its environment asks for (OPENBLAS_NUM_THREADS, ...)

    def describe(self) -> str:
        usable = f"{self.affinity} CPUs" + (f", a quota of {self.quota:g}" if self.quota is not None else "")
        busy = "" if self.others is None else f", {self.others:g} threads of other processes running now"
        return usable + busy


def threads_for(cpus: Cpus, jobs: int = 1) -> int:
    """BLAS threads for one of ``jobs`` processes that share ``cpus``: the whole CPUs it may use,
    shared among the jobs, no more than the CPUs nobody else is using now, nor than its
    environment asks for; at least one."""
    usable = cpus.affinity
    if cpus.quota is not None:
        usable = min(usable, math.floor(cpus.quota))
    usable //= max(1, jobs)
    if cpus.others is not None and cpus.online is not None:
        usable = min(usable, math.floor(cpus.online - cpus.others))
    if cpus.asked is not None:
        usable = min(usable, cpus.asked)
    return max(1, usable)


def blas_threads(dataset: str, jobs: int = 1, cpus: Cpus | None = None) -> int:
    """BLAS threads for training on ``dataset`` in one of ``jobs`` processes: one on digits, whose
    products (64 features) are too small for a second thread to pay, yet OpenBLAS still splits
    them, and on a loaded machine the thread that waits holds the other one up (the solution
    graded in 13.3-17.3 s with two threads, 6.4-7.7 s with one, load average 7 on 2 cores);
    on CIFAR-10, :func:`threads_for` the CPUs read now."""
    if dataset == "digits":
        return 1
    return threads_for(cpus if cpus is not None else read(), jobs)


def use_available_cpus(dataset: str, jobs: int = 1) -> str:
    """Sets numpy's BLAS threads (threadpoolctl) to :func:`blas_threads`, or to the grader's choice
    where it set CHOSEN_VARIABLE; returns what it did."""
    chosen = os.environ.get(CHOSEN_VARIABLE, "").strip()
    if chosen.isdigit() and int(chosen) > 0:
        threads, why = int(chosen), f"chosen by the grader, {CHOSEN_VARIABLE}"
    else:
        cpus = read()
        threads, why = blas_threads(dataset, jobs, cpus), cpus.describe()
    import numpy  # noqa: F401 - loads the BLAS that threadpoolctl sets

    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return "BLAS threads: left as they are (threadpoolctl is not installed)"
    threadpool_limits(threads, user_api="blas")
    return f"BLAS threads: {threads} ({why})"


# --- reading the numbers --------------------------------------------------------------------


def read(root: Path = Path("/"), samples: int = 5, interval: float = 0.01) -> Cpus:
    """The ``Cpus`` of this process; ``root`` holds ``proc/`` and ``sys/`` (tests give a fake one)."""
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        affinity = os.cpu_count() or 1
    return Cpus(
        affinity=affinity,
        quota=cgroup_quota(root),
        online=os.cpu_count(),
        others=others_running(root, samples, interval),
        asked=asked_threads(os.environ),
    )


def asked_threads(environ: Mapping[str, str]) -> int | None:
    """The fewest threads that THREAD_VARIABLES ask for (a user's or a sandbox's setting)."""
    asked = [int(environ[v]) for v in THREAD_VARIABLES if environ.get(v, "").strip().isdigit()]
    return min((n for n in asked if n > 0), default=None)


def others_running(root: Path, samples: int, interval: float) -> float | None:
    """Threads of other processes runnable now: the fourth field of ``/proc/loadavg`` (runnable
    now / all), less this one, the median of a few reads. Not the 1-minute load average, which
    lags by a minute and counts the previous notebook's own training; where ``/proc/loadavg``
    is missing (macOS), the 1-minute average is all there is."""
    counts = []
    for i in range(samples):
        try:
            runnable = (root / "proc/loadavg").read_text().split()[3].split("/")[0]
            counts.append(int(runnable) - 1)
        except (OSError, IndexError, ValueError):
            break
        if i + 1 < samples:
            time.sleep(interval)
    if counts:
        return max(0.0, statistics.median(counts))
    if root == Path("/") and hasattr(os, "getloadavg"):
        try:
            return os.getloadavg()[0]
        except OSError:
            pass
    return None


def cgroup_quota(root: Path) -> float | None:
    """CPUs this process's control group and its ancestors allow (the smallest quota), or None."""
    try:
        lines = (root / "proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    quotas = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers == "":  # cgroup v2: one hierarchy at /sys/fs/cgroup
            quotas += _along(root / "sys/fs/cgroup", path, _cpu_max)
        elif "cpu" in controllers.split(","):  # cgroup v1: the cpu controller's own hierarchy
            for mount in (controllers, "cpu"):
                if (root / "sys/fs/cgroup" / mount).is_dir():
                    quotas += _along(root / "sys/fs/cgroup" / mount, path, _cfs_quota)
                    break
    return min(quotas, default=None)


def _along(mount: Path, path: str, quota_of: Callable[[Path], float | None]) -> list[float]:
    """The quotas of ``path``'s cgroup and of every ancestor under ``mount``. In a container
    without its own cgroup namespace, ``path`` is the host's and missing here: the mount itself
    is then the container's cgroup, and is read last."""
    found = []
    parts = [p for p in path.split("/") if p]
    for depth in range(len(parts), -1, -1):
        folder = mount.joinpath(*parts[:depth])
        if folder.is_dir():
            quota = quota_of(folder)
            if quota is not None:
                found.append(quota)
    return found


def _cpu_max(folder: Path) -> float | None:
    """cgroup v2: ``cpu.max`` is "QUOTA PERIOD" in microseconds, QUOTA "max" for none."""
    try:
        quota, period = (folder / "cpu.max").read_text().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        return None


def _cfs_quota(folder: Path) -> float | None:
    """cgroup v1: ``cpu.cfs_quota_us`` (-1 for none) over ``cpu.cfs_period_us``."""
    try:
        quota = int((folder / "cpu.cfs_quota_us").read_text())
        period = int((folder / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return None if quota <= 0 or period <= 0 else quota / period
