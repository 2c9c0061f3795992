"""What a grading is asked for: the dataset, the seed of the hidden inputs, the items, the time
limits, the trained parameters handed over, and the BLAS threads of the training worker (chosen
from the CPUs it may use, ``twolayer.cpus``, where not given)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from twolayer.config import dataset_name
from twolayer.cpus import blas_threads


@dataclass
class Options:
    dataset: str | None = None
    seed: int | None = None
    item_timeout: float = 60.0  # one item's checks
    cell_timeout: float | None = None  # every training cell (default: the course's budgets, assignment.toml)
    items: tuple[str, ...] | None = None  # grade only these items
    params: dict[str, dict[str, np.ndarray]] | None = None  # trained params given by nbgrader's kernel
    # BLAS threads of the training worker; None: chosen when the grading starts, from the CPUs
    # this job may use then (twolayer.cpus.blas_threads: affinity, cgroup quota, jobs, others' load)
    threads: int | None = 1
    jobs: int = 1  # gradings that share this machine's CPUs at once (--jobs, a Dask worker's slots)


def with_threads(options: Options) -> Options:
    """``options`` with the training worker's BLAS threads chosen now, if they were left open."""
    if options.threads is not None:
        return options
    return replace(options, threads=blas_threads(dataset_name(options.dataset), options.jobs))
