"""The environment of a sandboxed process (autograder/sandbox/confined.py): the BLAS threads the
grader chose reach the student's notebook, whose set-up cell keeps them."""

from __future__ import annotations

import pytest

from autograder import sandbox
from autograder.execution.remote import WorkerProcess
from autograder.execution.target import RemoteTarget
from hosts import isolation

pytestmark = pytest.mark.skipif(isolation() == "unavailable", reason="no sandbox on this host")

SETUP_CELL = """
from threadpoolctl import threadpool_info
from twolayer.cpus import use_available_cpus
said = use_available_cpus("cifar10")
threads = sorted({p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"})
"""


@pytest.mark.parametrize("chosen", [1, 2])
def test_the_set_up_cell_keeps_the_graders_choice(chosen):
    """Before, the set-up cell chose again from the load it saw: `--blas-threads 2` gave a
    notebook one thread beside a busy process (and the contention benchmark's "before" policy
    measured that instead of two threads)."""
    with WorkerProcess(limits=sandbox.Limits(threads=chosen), timeout=60) as worker:
        target = RemoteTarget(worker)
        assert target.exec_cell("setup", SETUP_CELL)["ok"]
        said, threads = target.get(None, "said"), target.get(None, "threads")
    assert said == f"BLAS threads: {chosen} (chosen by the grader, TWOLAYER_BLAS_THREADS)"
    assert threads == [chosen]
