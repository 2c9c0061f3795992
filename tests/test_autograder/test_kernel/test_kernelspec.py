"""The kernel specification (autograder/nbgrader/kernel/kernelspec.py)."""

import json
import subprocess
import sys

from autograder.nbgrader.kernel import kernelspec


def test_kernelspec_is_written_once_and_runs_the_launcher_isolated():
    path = kernelspec.ensure_kernelspec()
    mtime = path.stat().st_mtime_ns
    assert kernelspec.ensure_kernelspec() == path and path.stat().st_mtime_ns == mtime
    spec = json.loads(path.read_text())
    assert spec["argv"][1:4] == ["-I", "-m", "autograder.nbgrader.kernel"] and spec["argv"][-1] == "{connection_file}"
    from jupyter_client.kernelspec import KernelSpecManager

    assert KernelSpecManager().get_kernel_spec(kernelspec.KERNEL_NAME).argv == spec["argv"]


def test_the_launcher_module_runs():
    proc = subprocess.run(
        [sys.executable, "-I", "-m", kernelspec.LAUNCHER_MODULE, "--help"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0 and "connection file" in proc.stdout, proc.stderr
