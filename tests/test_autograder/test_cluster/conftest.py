"""The Dask cluster of these tests (dask_cluster.py), started once for the module."""

from __future__ import annotations

import pytest
from dask_cluster import LocalCluster


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = LocalCluster(tmp_path_factory.mktemp("dask"))
    try:
        c.add_worker()
        c.add_worker()
        c.wait_for_workers(2)
        yield c
    finally:
        c.close()
