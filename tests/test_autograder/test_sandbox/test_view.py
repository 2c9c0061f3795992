"""The sandbox's view of itself (autograder/sandbox/bwrap.py): student code reads its sandbox's
own /proc/1/cmdline (bubblewrap, which takes its arguments from a descriptor), its process's
command line and environment, and finds nothing of the host there: not the course repository, the
environment or Python installation, its scratch folder's host path or the dataset's."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pytest

from autograder import sandbox
from autograder.execution.remote import WorkerProcess
from autograder.execution.session import SANDBOX_CIFAR10
from autograder.execution.target import RemoteTarget
from hosts import isolation

REPO = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.skipif(isolation() != "bubblewrap", reason="no bubblewrap here: no view of its own")

VIEWS = """
import os, sys
views = {}
for path in ("/proc/1/cmdline", "/proc/self/cmdline", "/proc/self/environ"):
    with open(path, "rb") as f:
        views[path] = f.read().replace(b"\\0", b" ").decode()
views["sys"] = " ".join([sys.executable, sys.prefix, sys.base_prefix, os.getcwd(), *sys.path])
"""


def test_nothing_of_the_host_in_the_sandboxs_view_of_itself(tmp_path):
    data = tmp_path / "cifar-10-batches-py"
    data.mkdir()
    (data / "batches.meta").write_bytes(b"")
    with WorkerProcess(
        limits=sandbox.Limits(),
        readonly={SANDBOX_CIFAR10: data},
        env={"CIFAR10_DIR": SANDBOX_CIFAR10},
        timeout=60,
    ) as worker:
        target = RemoteTarget(worker)
        assert target.exec_cell("views", VIEWS)["ok"]
        views = target.get(None, "views")
        scratch = str(worker.scratch)
    host = {
        "course repository": str(REPO),
        "environment": str(Path(sys.prefix).resolve()),
        "python installation": str(Path(sys.base_prefix).resolve()),
        "scratch folder": scratch,
        "temporary folder": tempfile.gettempdir() + "/",
        "dataset": str(data),
    }
    for view, text in views.items():
        assert not [name for name, path in host.items() if path in text], (view, text)
    assert views["/proc/1/cmdline"].startswith(f"{sandbox.mechanisms().bwrap} --args ")
    assert f"CIFAR10_DIR={SANDBOX_CIFAR10}" in views["/proc/self/environ"]
    assert "HOME=/home/student" in views["/proc/self/environ"]
