"""autograder.nbgrader.kernel.confinement: the limits of nbgrader's sandboxed kernel (the sandbox itself is
tested in test_sandboxed_kernel.py)."""

from __future__ import annotations

import pytest

from twolayer import cpus
from twolayer.cpus import Cpus


@pytest.mark.parametrize(
    ("dataset", "others", "threads"), [("cifar10", 0, 4), ("cifar10", 2, 2), ("cifar10", 4, 1), ("digits", 0, 1)]
)
def test_the_kernel_gets_the_blas_threads_of_the_cpus_free_as_it_starts(monkeypatch, dataset, others, threads):
    from autograder.nbgrader.kernel.confinement import kernel_limits

    monkeypatch.setenv("TWO_LAYER_NET_DATASET", dataset)
    monkeypatch.setattr(cpus, "read", lambda: Cpus(affinity=4, online=4, others=others))
    assert kernel_limits().threads == threads
