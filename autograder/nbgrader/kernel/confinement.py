"""What confines nbgrader's kernel: the sandbox of ``autograder/sandbox/`` (bubblewrap where it
works, else Landlock and a user of its own; a control group or RLIMIT_NPROC; rlimits), with a
size cap on its /tmp, the kernel's limits and environment, the ipykernel it starts, and whether
all that works here (:func:`available`).

In bubblewrap, the kernel is user ``nobody`` (or a user of its own) in its own PID, IPC, UTS and
network namespaces (no network at all); the system and the Python installation are read-only;
read-write are only the submission's own folder (the kernel's working folder, where nbgrader
executes the notebook, at ``/home/student/two_layer_net``), ``/run/kernel`` (its sockets) and a
private ``/tmp``; nothing of the course repository, the gradebook, other students' folders or the
host's ``/tmp``. Without bubblewrap, Landlock gives it the same folders at their host paths
(TCP refused, and signals and abstract sockets scoped where the kernel's Landlock can), and it
runs as a user of its own. CPU time, address space and file size are capped by rlimits,
processes/threads and memory by a control group, or RLIMIT_NPROC of its own user.
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder import sandbox
from autograder.execution.worker import one_blas_thread_after_fork
from autograder.sandbox import users
from autograder.sandbox.confined import unreachable
from twolayer.config import dataset_name
from twolayer.cpus import blas_threads

from .hidden_checks import SOCKET_ENV

# Paths inside the sandbox.
KERNEL_CWD = sandbox.WORKDIR + "/two_layer_net"  # read-write: the submission's folder
KERNEL_DIR = "/run/kernel"  # read-write: the kernel's sockets and its connection file
GRADER_DIR = "/run/grader"  # read-only: the grader's socket and the check_hidden client
GRADER_SOCKET = GRADER_DIR + "/grader.sock"
CLIENT_PATH = GRADER_DIR + "/lib"  # PYTHONPATH: a package `autograder` with nbgrader_hidden only
DATA_DIR = "/run/data/cifar10"  # read-only: CIFAR10_DIR, where the instructor set it
TMP_BYTES = 512 * 1024**2  # the private /tmp

# ipykernel, with no high-water mark on its IOPub socket. ZeroMQ's default (1,000 queued messages)
# makes the kernel drop output when nbclient reads slower than a cell prints (a debug print in
# a function that a gradient check calls thousands of times), the closing "idle" status message
# among it; nbclient then waits for it until iopub_timeout and nbgrader drops the whole
# submission (seen: a correct notebook with debug prints, ungraded). Queued in the kernel instead
# (its memory is capped by the sandbox's cgroup).
KERNEL_BOOT = (  # as ipykernel_launcher: the working folder leaves sys.path while this loads
    "import sys\n"
    "if sys.path and sys.path[0] == '':\n"
    "    del sys.path[0]\n"
    "import os\n" + inspect.getsource(one_blas_thread_after_fork) + "one_blas_thread_after_fork()\n"
    "import zmq\n"
    "from ipykernel.kernelapp import IPKernelApp\n"
    "class App(IPKernelApp):\n"
    "    def init_iopub(self, context):\n"
    "        context.setsockopt(zmq.SNDHWM, 0)\n"
    "        context.setsockopt(zmq.RCVHWM, 0)\n"
    "        super().init_iopub(context)\n"
    "App.launch_instance(argv=sys.argv[1:])\n"
)

ENV_PASSTHROUGH = (
    "CIFAR10_DIR",
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NBGRADER_EXECUTION",
    "MPLBACKEND",
    "TZ",
    "LC_ALL",
)


def _size(text: str) -> int:
    """``"4G"``, ``"512M"`` or a number of bytes."""
    text = text.strip().upper().removesuffix("B")
    factor = {"K": 1024, "M": 1024**2, "G": sandbox.GiB}.get(text[-1:], 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def kernel_limits() -> sandbox.Limits:
    """The limits of one sandboxed kernel (a whole notebook: training included).

    ``TWO_LAYER_NET_KERNEL_MEMORY`` (address space and cgroup memory, default 12G as the
    grader's training worker), ``TWO_LAYER_NET_KERNEL_CPU_SECONDS`` (default 3600) and
    ``TWO_LAYER_NET_KERNEL_PROCESSES`` (default 128: the cgroup counts threads, and ipykernel
    alone runs about 10, OpenBLAS one per core) override them.
    """
    env = os.environ
    return sandbox.Limits(
        memory_bytes=_size(env.get("TWO_LAYER_NET_KERNEL_MEMORY", "12G")),
        cpu_seconds=int(env.get("TWO_LAYER_NET_KERNEL_CPU_SECONDS", "3600")),
        file_bytes=64 * 1024**2,
        processes=int(env.get("TWO_LAYER_NET_KERNEL_PROCESSES", "128")),
        # BLAS threads (the kernel's OMP/OPENBLAS_NUM_THREADS) for the CPUs it may use as it starts
        threads=min(blas_threads(dataset_name()), 16),
    )


def kernel_sandbox(cwd: Path, kernel_dir: Path, grader_dir: Path) -> sandbox.Confined:
    """The sandbox of one kernel: ``cwd`` read-write at :data:`KERNEL_CWD`, ``kernel_dir``
    read-write at /run/kernel, ``grader_dir`` (and CIFAR-10, where set) read-only."""
    readonly = {GRADER_DIR: grader_dir}
    cifar = os.environ.get("CIFAR10_DIR")
    if cifar and Path(cifar).is_dir():
        readonly[DATA_DIR] = Path(cifar).resolve()
    return sandbox.Confined(
        kernel_limits(),
        workdir=cwd,
        inside=KERNEL_CWD,
        readonly=readonly,
        binds={KERNEL_DIR: kernel_dir},
        tmp_bytes=TMP_BYTES,
    )


def kernel_env(confined: sandbox.Confined) -> dict[str, str]:
    """The kernel's whole environment: nothing of the grader's but what the notebook needs, and
    no path of the host (in bubblewrap)."""
    extra = {
        "IPYTHONDIR": "/tmp/.ipython",
        "JUPYTER_CONFIG_DIR": "/tmp/.jupyter",
        "JUPYTER_DATA_DIR": "/tmp/.jupyter-data",
        "JUPYTER_RUNTIME_DIR": "/tmp/.jupyter-runtime",
        "PYTHONPATH": CLIENT_PATH,
        SOCKET_ENV: GRADER_SOCKET,
    }
    for key, value in os.environ.items():
        if (key in ENV_PASSTHROUGH or key.startswith("TWO_LAYER_NET_")) and key != SOCKET_ENV:
            extra[key] = value
    if DATA_DIR in confined.readonly:
        extra["CIFAR10_DIR"] = DATA_DIR
    else:
        extra.pop("CIFAR10_DIR", None)
    return confined.environment("/tmp", extra)


def unsafe_folder(cwd: Path) -> str | None:
    """Why binding ``cwd`` read-write into the sandbox would expose too much (or, without
    bubblewrap, why its user could not work in it), or None."""
    here = Path(__file__).resolve().parents[1]
    if cwd == Path("/") or cwd == Path.home().resolve():
        return "it is / or the home folder"
    m = sandbox.mechanisms()
    if m.bwrap is None and m.user and not users.reachable(cwd):
        return unreachable(cwd)
    for inside in (here, Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()):
        if inside.is_relative_to(cwd):
            return f"it contains {inside}"
    return None


def available() -> tuple[bool, str]:
    """Whether a kernel starts in the sandbox here: (True, "") or (False, why not). A check for
    ``python -m autograder sandbox`` and the tests, not a decision: the launcher refuses to start a
    kernel it cannot confine, whatever this said before.

    It starts the environment's Python in the kernel's sandbox and imports what ipykernel needs (it
    fails, for instance, where the Python installation cannot be reached from inside).
    """
    try:
        sandbox.mechanisms()
    except sandbox.SandboxUnavailable as err:
        return False, err.explain()
    with tempfile.TemporaryDirectory(prefix="tln-probe-", dir=users.tempdir()) as tmp:
        os.chmod(tmp, 0o711)  # as a course folder: its sandbox user reaches what is inside
        dirs = [Path(tmp, name) for name in ("cwd", "kernel", "grader")]
        for d in dirs:
            d.mkdir()
        try:
            confined = kernel_sandbox(*dirs)
        except sandbox.SandboxUnavailable as exc:
            return False, f"the sandbox could not be set up: {exc.explain()}"
        try:
            proc = confined.popen(
                ["-c", "import zmq, numpy"],
                env=kernel_env(confined),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            _, stderr = proc.communicate(timeout=120)
        except (sandbox.SandboxUnavailable, subprocess.SubprocessError) as exc:
            return False, f"the sandbox probe failed: {exc}"
        finally:
            confined.close()
    if proc.returncode != 0:
        return False, f"Python does not start in the sandbox: {stderr.strip()[-300:]}"
    return True, ""
