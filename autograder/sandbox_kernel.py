"""A Jupyter kernel confined by bubblewrap, for ``nbgrader autograde`` (and ``validate``).

nbgrader executes a submission in a Jupyter kernel with the rights of whoever runs it. The
kernel specification ``two_layer_net_sandbox`` (see :func:`ensure_kernelspec`; the course's
``nbgrader_config.py`` writes it and selects it where bubblewrap works) starts this module,
*outside* the sandbox, as ``python -I -m autograder.sandbox_kernel -f {connection_file}``. It

* starts ipykernel (``KERNEL_BOOT``: without a high-water mark on IOPub) inside bubblewrap: user ``nobody`` in its own user,
  PID, IPC, UTS and network namespaces (no network at all), the system and the Python
  installation read-only, read-write only the submission's own folder (the kernel's working
  folder, where nbgrader executes the notebook) and a private ``/tmp``; nothing of the course
  repository, the gradebook, other students' folders or the host's ``/tmp``. CPU time,
  address space and file size are capped by rlimits, processes/threads and memory by a cgroup;
* connects the kernel to nbgrader over ZeroMQ *ipc* (unix sockets), the only way across network
  namespaces: the kernel binds its sockets in a fresh private folder (``/run/kernel`` inside),
  and the addresses nbgrader connects to (``<ip>-<port>``, from ``c.KernelManager.ip``) are
  symlinks to them. The sandbox never sees the folder that nbgrader's addresses live in;
* serves the hidden test cells: ``check_hidden`` (``autograder.nbgrader_hidden``) cannot grade
  from inside (the reference solution is not there, rightly), so it asks this launcher over a
  unix socket (``$TWO_LAYER_NET_GRADER_SOCKET``, read-only inside). The launcher grades item X
  with ``python -I -m autograder check <snapshot> --item X`` outside the sandbox (whose student
  code runs in the grader's own sandboxed worker, as always) and answers with its output and
  exit status. ``<snapshot>`` is the notebook as nbgrader put it into the folder before the
  kernel started: student code cannot swap it. Each item is graded once per kernel (a later
  request gets the same answer), so the grader is no oracle to try answers against. The first
  request for an item that needs no trained model grades all such items in one process
  (``check --item A --item B ... --json``; one start-up instead of nine, measured 7.6 s against
  1.5 s), and each item's answer is handed out when its own hidden cell asks for it;
* forwards SIGINT (nbclient's interrupt on a cell timeout) to the sandboxed kernel, stops it on
  SIGTERM/SIGHUP, exits when it exits; then kills whatever is left in its cgroup and removes
  symlinks and special files that the kernel left in the submission folder (nbgrader, which
  runs unconfined, writes the graded notebook there: it must not write through a symlink);
* records, outside the sandbox (``<connection file name>.sandbox`` in the folder of the ipc
  address), the verdicts of the hidden checks it ran, and of the visible checks (the grader
  runs those too when it grades the items that need no model). ``nbgrader_config.py``'s
  ``SandboxedExecute`` reads them after the execution (:func:`after_execution`): a hidden test
  cell whose item the grader did not pass counts as failed, whatever the kernel printed, and so
  does a visible test cell (``self_check``) whose checks failed in the grader's run; so
  replacing ``check_hidden`` or ``self_check`` inside the kernel gains nothing.

Without a working bubblewrap the launcher warns loudly on stderr (nbgrader logs it) and runs
plain ipykernel; ``nbgrader_config.py`` does not select this kernel then and warns too.
"""
from __future__ import annotations

import argparse
import functools
import io
import json
import os
import re
import select
import shutil
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

from . import sandbox

KERNEL_NAME = "two_layer_net_sandbox"
DISPLAY_NAME = "Python 3 (two_layer_net sandbox)"
NOTEBOOK = "two_layer_net.ipynb"
SOCKET_ENV = "TWO_LAYER_NET_GRADER_SOCKET"

# Paths inside the sandbox.
KERNEL_DIR = "/run/kernel"            # read-write: the kernel's sockets and its connection file
GRADER_DIR = "/run/grader"            # read-only: the grader's socket and the check_hidden client
GRADER_SOCKET = GRADER_DIR + "/grader.sock"
CLIENT_PATH = GRADER_DIR + "/lib"     # PYTHONPATH: a package `autograder` with nbgrader_hidden only

# The grading service.
MAX_HEADER = 64 * 1024
MAX_PARAMS = 256 * 1024 ** 2           # bytes of the .npz of one model (also its unpacked size)
MAX_OUTPUT = 20_000                    # characters of the check's output sent back
REQUEST_TIMEOUT = 60.0                 # to receive one request
CHECK_TIMEOUT = float(os.environ.get("TWO_LAYER_NET_CHECK_TIMEOUT", "300"))
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
    "import zmq\n"
    "from ipykernel.kernelapp import IPKernelApp\n"
    "class App(IPKernelApp):\n"
    "    def init_iopub(self, context):\n"
    "        context.setsockopt(zmq.SNDHWM, 0)\n"
    "        context.setsockopt(zmq.RCVHWM, 0)\n"
    "        super().init_iopub(context)\n"
    "App.launch_instance(argv=sys.argv[1:])\n"
)
# How long a hidden cell waits for the batch (the nine items graded together; 1-2 s normally)
# before its item is graded on its own.
BATCH_WAIT = 20.0

PORT_NAMES = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")
ENV_PASSTHROUGH = ("CIFAR10_DIR", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                   "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "NBGRADER_EXECUTION", "MPLBACKEND", "TZ",
                   "LC_ALL")
GiB = 1024 ** 3


def _size(text: str) -> int:
    """``"4G"``, ``"512M"`` or a number of bytes."""
    text = text.strip().upper().removesuffix("B")
    factor = {"K": 1024, "M": 1024 ** 2, "G": GiB}.get(text[-1:], 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def kernel_limits() -> sandbox.Limits:
    """The limits of one sandboxed kernel (a whole notebook: training included).

    ``TWO_LAYER_NET_KERNEL_MEMORY`` (address space and cgroup memory, default 12G as the
    grader's training worker), ``TWO_LAYER_NET_KERNEL_CPU_SECONDS`` (default 3600) and
    ``TWO_LAYER_NET_KERNEL_PROCESSES`` (default 128: the cgroup counts threads, and ipykernel
    alone runs about 10, OpenBLAS one per core) override them.
    """
    env = os.environ
    return sandbox.Limits(memory_bytes=_size(env.get("TWO_LAYER_NET_KERNEL_MEMORY", "12G")),
                          cpu_seconds=int(env.get("TWO_LAYER_NET_KERNEL_CPU_SECONDS", "3600")),
                          file_bytes=64 * 1024 ** 2,
                          processes=int(env.get("TWO_LAYER_NET_KERNEL_PROCESSES", "128")),
                          threads=max(1, min(os.cpu_count() or 1, 16)))


# ----------------------------------------------------------------------------------------------
# The sandbox
# ----------------------------------------------------------------------------------------------

def _base_args(tmp_bytes: int = 512 * 1024 ** 2) -> list[str]:
    """sandbox.py's bubblewrap arguments, with a size cap on /tmp and no nested user namespaces."""
    args = list(sandbox._bwrap_base())
    i = args.index("--tmpfs")
    args[i:i] = ["--size", str(tmp_bytes)]
    return ["--disable-userns", *args]


def _python_binds() -> list[str]:
    args: list[str] = []
    for path in sandbox.python_dirs():
        if path.exists():
            args += ["--ro-bind", str(path), str(path)]
    exe = Path(sys.executable)
    if exe.parent.exists():  # sys.executable may be a symlink in a venv: bind the link itself too
        args += ["--ro-bind", str(exe.parent), str(exe.parent)]
    return args


def bwrap_command(cwd: Path, kernel_dir: Path, grader_dir: Path, python_args: list[str],
                  readonly: list[Path] = ()) -> list[str]:
    """``bwrap ... -- python PYTHON_ARGS`` with ``cwd`` read-write at its own path."""
    bwrap = sandbox.bubblewrap()
    if bwrap is None:
        raise sandbox.SandboxUnavailable("bubblewrap is not available")
    args = [bwrap, *_base_args(), *_python_binds()]
    # Font settings: without them matplotlib's first plot prints a Fontconfig error on stderr,
    # and nbgrader gives a test cell with output on stderr 0 points.
    for path in [Path("/etc/fonts"), *readonly]:
        if Path(path).exists():
            args += ["--ro-bind", str(path), str(path)]
    args += ["--bind", str(kernel_dir), KERNEL_DIR, "--ro-bind", str(grader_dir), GRADER_DIR,
             "--bind", str(cwd), str(cwd), "--chdir", str(cwd)]
    # The skeleton bubblewrap builds the mount points in (/, /work, ...) read-only too: writable
    # are only the submission folder, /run/kernel and the private /tmp.
    args += ["--remount-ro", "/"]
    return [*args, "--", sys.executable, *python_args]


@functools.lru_cache(maxsize=1)
def available() -> tuple[bool, str]:
    """Whether a kernel can run in the sandbox here: (True, "") or (False, why not).

    sandbox.bubblewrap() only runs /bin/true; this also starts the environment's Python in the
    sandbox and imports what ipykernel needs (it fails, for instance, for an unprivileged user
    when the Python installation is under a home folder that others cannot enter).
    """
    if sandbox.bubblewrap() is None:
        return False, ("bubblewrap (bwrap) is missing or does not work here"
                       if os.environ.get("AUTOGRADER_SANDBOX", "auto") != "none" else "AUTOGRADER_SANDBOX=none")
    with tempfile.TemporaryDirectory(prefix="tln-probe-") as tmp:
        dirs = [Path(tmp, name) for name in ("cwd", "kernel", "grader")]
        for d in dirs:
            d.mkdir()
        cmd = bwrap_command(dirs[0], dirs[1], dirs[2], ["-I", "-c", "import zmq, numpy"])
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=_kernel_env(Path(tmp)),
                                  check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return False, f"the sandbox probe failed: {exc}"
    if proc.returncode != 0:
        return False, f"Python does not start in the sandbox: {proc.stderr.strip()[-300:]}"
    return True, ""


def _kernel_env(cwd: Path) -> dict[str, str]:
    """The kernel's whole environment (bwrap passes its own on): nothing of the grader's."""
    limits = kernel_limits()
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp",
        "IPYTHONDIR": "/tmp/.ipython", "MPLCONFIGDIR": "/tmp/.matplotlib", "JUPYTER_CONFIG_DIR": "/tmp/.jupyter",
        "JUPYTER_DATA_DIR": "/tmp/.jupyter-data", "JUPYTER_RUNTIME_DIR": "/tmp/.jupyter-runtime",
        "PYTHONPATH": CLIENT_PATH, "PYTHONDONTWRITEBYTECODE": "1", SOCKET_ENV: GRADER_SOCKET,
        "OMP_NUM_THREADS": str(limits.threads), "OPENBLAS_NUM_THREADS": str(limits.threads),
        "MKL_NUM_THREADS": str(limits.threads),
    }
    for key, value in os.environ.items():
        if (key in ENV_PASSTHROUGH or key.startswith("TWO_LAYER_NET_")) and key != SOCKET_ENV:
            env[key] = value
    return env


def _readonly_data() -> list[Path]:
    """Datasets outside the submission folder that the notebook reads (CIFAR-10 when configured)."""
    cifar = os.environ.get("CIFAR10_DIR")
    return [Path(cifar).resolve()] if cifar and Path(cifar).is_dir() else []


# ----------------------------------------------------------------------------------------------
# The kernel specification
# ----------------------------------------------------------------------------------------------

def kernelspec() -> dict[str, Any]:
    return {
        # -I: the launcher runs unconfined in the submission folder: never import from there.
        "argv": [sys.executable, "-I", "-m", "autograder.sandbox_kernel", "-f", "{connection_file}"],
        "display_name": DISPLAY_NAME,
        "language": "python",
        "interrupt_mode": "signal",
        "metadata": {"debugger": False, "sandbox": "bubblewrap (autograder/sandbox_kernel.py)"},
    }


def ensure_kernelspec() -> Path:
    """Write ``<sys.prefix>/share/jupyter/kernels/two_layer_net_sandbox/kernel.json`` (unless it
    already says the same), where Jupyter finds the environment's kernels; the user's Jupyter
    data folder if the environment is not writable. Returns the file."""
    text = json.dumps(kernelspec(), indent=1) + "\n"
    from jupyter_core.paths import jupyter_data_dir

    last_error: OSError | None = None
    for base in (Path(sys.prefix) / "share" / "jupyter", Path(jupyter_data_dir())):
        path = base / "kernels" / KERNEL_NAME / "kernel.json"
        try:
            if path.exists() and path.read_text() == text:
                return path
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".kernel.json.{os.getpid()}")
            tmp.write_text(text)
            os.replace(tmp, path)
            return path
        except OSError as exc:
            last_error = exc
    raise OSError(f"cannot write the {KERNEL_NAME} kernel specification: {last_error}")


def _short_tempdir(prefix: str) -> str:
    """A new private folder for unix sockets, whose paths must stay under 108 bytes: in the
    temporary folder ($TMPDIR), or /tmp or /var/tmp when that is too deep."""
    for base in (tempfile.gettempdir(), "/tmp", "/var/tmp"):
        if len(base) <= 60 and os.path.isdir(base) and os.access(base, os.W_OK):
            return tempfile.mkdtemp(prefix=prefix, dir=base)
    raise OSError("no temporary folder with a path short enough for unix sockets")


@functools.lru_cache(maxsize=1)
def ipc_address() -> str:
    """An absolute ZeroMQ ipc address in a private folder of this process (for
    ``c.KernelManager.ip``): nbgrader connects to ``<address>-<port>``. jupyter_client's default,
    ``kernel-ipc``, is relative, and nbgrader and the kernel have different working folders."""
    import atexit

    folder = _short_tempdir("tln-ipc-")
    atexit.register(shutil.rmtree, folder, True)
    return os.path.join(folder, "kernel")


_warned = False


def warn_unconfined(reason: str) -> None:
    """The loud warning of nbgrader_config.py and of the launcher, on stderr (nbgrader logs it)."""
    global _warned
    if _warned:
        return
    _warned = True
    bar = "*" * 96
    print(f"{bar}\n* WARNING: nbgrader runs student code WITHOUT a sandbox: {reason}.\n"
          "* The notebooks execute in a plain Python kernel with the rights of the user running nbgrader\n"
          "* (files, network). Install bubblewrap (Debian/Ubuntu package `bubblewrap`) to confine them.\n"
          f"{bar}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------------
# After the execution (called by nbgrader_config.py's SandboxedExecute, in nbgrader's process)
# ----------------------------------------------------------------------------------------------

def state_path(connection_file: str | os.PathLike, ip: str) -> Path:
    """Where the launcher records the sandbox's state: in the folder of the ipc address, a
    private folder of the nbgrader process (ipc_address()) that it removes when it exits."""
    return Path(ip).parent / f"{Path(connection_file).name}.sandbox"


def _write_state(path: Path, state: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(state, f)
    os.replace(tmp, path)


def read_state(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def sanitize_folder(folder: Path) -> list[str]:
    """Remove symlinks and special files (fifos, sockets, devices) under ``folder``: what the
    sandboxed kernel could leave for the unconfined nbgrader to write or read through."""
    removed = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            try:
                mode = os.lstat(path).st_mode
            except OSError:
                continue
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                try:
                    os.unlink(path)
                    removed.append(os.path.relpath(path, folder))
                except OSError:
                    pass
    return removed


def _kill_cgroups(dirs: list[str], wait: float = 5.0) -> None:
    """Kill every process left in the sandbox's cgroups and remove them."""
    deadline = time.monotonic() + wait
    for d in map(Path, dirs):
        if not d.is_dir():
            continue
        while True:
            try:
                pids = (d / "cgroup.procs").read_text().split()
            except OSError:
                break
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError, PermissionError):
                    pass
            if not pids or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        try:
            d.rmdir()
        except OSError:
            pass


def _remove_stale() -> None:
    """Remove what launchers killed with SIGKILL could not: their private folders
    (tln-kernel-<pid>-...) and the empty cgroups sandbox.ControlGroup made for processes that
    are gone (tln-<pid>-...)."""
    def gone(name: str, field: int) -> bool:
        try:
            return not Path(f"/proc/{int(name.split('-')[field])}").exists()
        except (ValueError, IndexError):
            return False

    for d in Path("/sys/fs/cgroup").glob("*/tln-*-*"):
        if gone(d.name, 1):
            try:
                d.rmdir()  # fails unless empty
            except OSError:
                pass
    for base in {tempfile.gettempdir(), "/tmp", "/var/tmp"}:
        for d in Path(base).glob("tln-kernel-*-*"):
            if gone(d.name, 2) and d.is_dir() and not d.is_symlink() and d.stat().st_uid == os.geteuid():
                shutil.rmtree(d, ignore_errors=True)


HIDDEN_CALL = re.compile(r"""check_hidden\(\s*["'](\w+)["']""")
VISIBLE_CALL = re.compile(r"""self_check\(\s*["'](\w+)["']""")


def after_execution(km: Any, nb: Any, resources: dict, log: Any = None) -> None:
    """After nbgrader executed ``nb`` in a sandboxed kernel (kernel manager ``km``): make sure
    nothing of the sandbox runs any more, clean the submission folder, and fail every hidden
    test cell whose item the grader did not pass, and every visible test cell (``self_check``)
    whose checks the grader, running them on the snapshot as ``python -m autograder grade``
    does, did not pass: what student code did to the kernel (``self_check = lambda *a: None``)
    gains nothing."""
    connection_file, ip = getattr(km, "connection_file", None), getattr(km, "ip", "")
    if not connection_file or not os.path.isabs(ip or ""):
        return
    path = state_path(connection_file, ip)
    state = read_state(path)
    try:
        path.unlink()
    except OSError:
        pass
    if state is None:  # the launcher never started (no kernel, or not ours): nothing ran
        return
    if not state.get("sandboxed"):
        if log:
            log.warning("The notebook was executed WITHOUT the sandbox: %s", state.get("reason", ""))
        return
    _kill_cgroups(state.get("cgroups", []))
    if state.get("private") and not state.get("finished"):  # the launcher was killed
        shutil.rmtree(state["private"], ignore_errors=True)
    folder = state.get("cwd") or (resources or {}).get("metadata", {}).get("path")
    if folder:
        removed = sanitize_folder(Path(folder))
        if removed and log:
            log.warning("Removed links and special files the notebook left in its folder: %s", ", ".join(removed[:20]))
    verdicts, visible = state.get("verdicts", {}), state.get("visible", {})
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") != "code" or not meta.get("grade"):
            continue
        source = cell.get("source", "")
        hidden_items, visible_items = HIDDEN_CALL.findall(source), VISIBLE_CALL.findall(source)
        if not hidden_items and not visible_items:
            continue
        if any(out.get("output_type") == "error" for out in cell.get("outputs", [])):
            continue  # failed already
        problems = [f"{item}: the grader did not pass the hidden checks of this item (they did not reach the "
                    "grader: was check_hidden replaced?)" for item in hidden_items if verdicts.get(item) is not True]
        for item in visible_items:
            if visible.get(item) is False:
                problems.append(f"{item}: these checks fail when the grader runs your answer cells on their own "
                                "(does an answer cell use something defined outside the answer cells?)")
            elif visible.get(item) is not True:
                problems.append(f"{item}: the grader could not confirm these checks (its run of them failed or "
                                "never started: see this item's hidden test cell; was check_hidden replaced?)")
        if not problems:
            continue
        ename = "HiddenChecksFailed" if hidden_items else "ChecksFailed"
        message = "; ".join(problems)
        from nbformat import v4

        cell.setdefault("outputs", []).append(
            v4.new_output("error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"]))
        if log:
            log.warning("Test cell %s: %s", meta.get("grade_id"), message)


# ----------------------------------------------------------------------------------------------
# The grading service (in the launcher, outside the sandbox)
# ----------------------------------------------------------------------------------------------

def _recv_exact(conn: socket.socket, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = conn.recv(min(n - got, 1 << 20))
        if not chunk:
            raise ConnectionError("the client went away")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _code_items() -> set[str]:
    from twolayer.config import ITEMS

    return {item.name for item in ITEMS if item.kind == "code"}


def _check_params(data: bytes) -> str | None:
    """None if ``data`` is an uncompressed-size-bounded .npz of plain arrays, else why not."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            if len(infos) > 64 or sum(i.file_size for i in infos) > MAX_PARAMS:
                return "too many or too large arrays"
            if not all(re.fullmatch(r"[\w.-]{1,64}\.npy", i.filename) for i in infos):
                return "unexpected entries"
    except zipfile.BadZipFile:
        return "not an .npz file"
    return None


class GraderServer(threading.Thread):
    """Grades the hidden checks of one item at a time for the kernel, over a unix socket.

    Request: ``struct "<II"`` (header length, payload length), a JSON header ``{"item": ...}``,
    the payload (the model's parameters as .npz, or nothing). Reply: ``struct "<I"`` and a JSON
    ``{"stdout", "stderr", "returncode"}``.

    The nine items that need no trained model are graded together, by one grader process that
    the first request for one of them starts in the background (the batch). A request waits for
    the batch until ``BATCH_WAIT`` seconds after its start; if the batch has failed or is still
    running then (an answer cell that loops makes it as slow as the sum of its items' timeouts),
    the item is graded on its own, as the training items always are. The batch belongs to no
    request: a client that goes away (nbclient interrupts a cell at its timeout) does not stop
    it, and a later request picks its answers up.
    """

    def __init__(self, path: Path, snapshot: Path | None, workdir: Path, on_verdict, on_visible=None):
        super().__init__(name="grader-server", daemon=True)
        self.path, self.snapshot, self.workdir, self.on_verdict = path, snapshot, workdir, on_verdict
        self.on_visible = on_visible
        self.items = _code_items()
        self.answers: dict[str, dict] = {}
        from .notebook import TRAINING_ITEMS  # their checks need the kernel's model

        self.batch_items = {item for item in self.items if item not in TRAINING_ITEMS}
        self.batch: dict[str, dict] | None = None
        self.batch_problem: str | None = None
        self.batch_started: float | None = None
        self.batch_done = threading.Event()
        self.batch_thread: threading.Thread | None = None
        self.stopping = threading.Event()
        self.procs: set[subprocess.Popen] = set()
        self.procs_lock = threading.Lock()
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(str(path))
        self.sock.listen(1)
        self.sock.settimeout(0.5)

    def stop(self) -> None:
        self.stopping.set()
        with self.procs_lock:
            procs = list(self.procs)
        for proc in procs:
            if proc.poll() is None:
                _killpg(proc)
        self.join(timeout=5)
        if self.batch_thread is not None:   # it sees `stopping` and kills a process it started late
            self.batch_thread.join(timeout=5)
        self.sock.close()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with conn:
                try:
                    self.handle(conn)
                except Exception as exc:  # a bad request costs that request only
                    try:
                        self._reply(conn, {"stdout": "", "stderr": f"bad request: {type(exc).__name__}: {exc}"[:500],
                                           "returncode": 2})
                    except OSError:
                        pass

    def _reply(self, conn: socket.socket, answer: dict) -> None:
        data = json.dumps(answer).encode()
        conn.sendall(struct.pack("<I", len(data)) + data)

    def handle(self, conn: socket.socket) -> None:
        conn.settimeout(REQUEST_TIMEOUT)
        nh, npay = struct.unpack("<II", _recv_exact(conn, 8))
        if nh > MAX_HEADER or npay > MAX_PARAMS:
            raise ValueError("request too large")
        header = json.loads(_recv_exact(conn, nh))
        params = _recv_exact(conn, npay) if npay else b""
        item = header.get("item") if isinstance(header, dict) else None
        if not isinstance(item, str) or item not in self.items:
            raise ValueError(f"unknown item {str(item)[:40]!r}")
        if item in self.answers:  # graded once per kernel: the same answer again
            self._reply(conn, self.answers[item])
            return
        if not params and item in self.batch_items and self.snapshot is not None:
            answer = self._from_batch(item, conn)
            if answer == "hung up":  # the client went away (interrupted): no verdict
                return
            if answer is None:  # no batch answer in time: this item on its own
                got = self._graded_together([item], conn)
                if got is None:
                    return
                answer = got[item] if isinstance(got, dict) else {
                    "stdout": f"{item}: the hidden checks could not run: {got}", "stderr": "", "returncode": 1}
        else:
            answer = self.grade(item, params, conn)
        if answer is None:  # the client went away (interrupted): no verdict
            return
        self.answers[item] = answer
        self.on_verdict(item, answer["returncode"] == 0)
        self._reply(conn, answer)

    def _from_batch(self, item: str, conn: socket.socket) -> dict | str | None:
        """The batch's answer for ``item`` (starting the batch if need be); None when the batch
        failed or has not answered within BATCH_WAIT of its start; "hung up" if the client went."""
        if self.batch_started is None:
            self.batch_started = time.monotonic()
            self.batch_thread = threading.Thread(target=self._run_batch, name="grader-batch", daemon=True)
            self.batch_thread.start()
        while not self.batch_done.is_set():
            if time.monotonic() > self.batch_started + BATCH_WAIT:
                return None
            if self.stopping.is_set() or _hung_up(conn, 0.05):
                return "hung up"
        return (self.batch or {}).get(item)

    def _run_batch(self) -> None:
        try:
            got = self._graded_together(sorted(self.batch_items), None)
            if isinstance(got, dict):
                self.batch = got
            else:
                self.batch_problem = got or "stopped"
                print(f"two_layer_net sandbox: grading the hidden checks together failed ({self.batch_problem}); "
                      "they are graded one by one", file=sys.stderr, flush=True)
        finally:
            self.batch_done.set()

    def _command(self, items: list[str], *extra: str) -> list[str]:
        cmd = [sys.executable, "-I", "-m", "autograder", "check", str(self.snapshot)]
        for item in items:
            cmd += ["--item", item]
        return cmd + list(extra)

    def _run(self, cmd: list[str], conn: socket.socket | None, timeout: float) -> tuple[str, str, int] | str | None:
        """(stdout, stderr, exit status) of a grader process; "timeout", or None when the client
        (if any) hung up or the server stops (the process is killed then)."""
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", SOCKET_ENV)}
        with tempfile.TemporaryDirectory(prefix="tln-check-", dir=self.workdir) as cwd, \
                tempfile.TemporaryFile(dir=self.workdir) as out, tempfile.TemporaryFile(dir=self.workdir) as err:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env, cwd=cwd,
                                    start_new_session=True)
            with self.procs_lock:
                self.procs.add(proc)
            try:
                deadline = time.monotonic() + timeout
                while proc.poll() is None:
                    if self.stopping.is_set() or (conn is not None and _hung_up(conn)):
                        _killpg(proc)
                        return None
                    if time.monotonic() > deadline:
                        _killpg(proc)
                        return "timeout"
                    if conn is None:
                        time.sleep(0.05)
            finally:
                with self.procs_lock:
                    self.procs.discard(proc)
            out.seek(0)
            err.seek(0)
            return (out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")[-500:],
                    proc.returncode)

    def _graded_together(self, items: list[str], conn: socket.socket | None) -> dict[str, dict] | str | None:
        """The answers for ``items`` (which need no trained model) from one grader process
        (``check --item A --item B ... --json``); the visible checks' verdicts it reports are
        recorded (``on_visible``). A string says why that process failed; None: the client went
        away, or the server stops."""
        ran = self._run(self._command(items, "--json"), conn, CHECK_TIMEOUT)
        if ran is None:
            return None
        if ran == "timeout":
            return f"they did not finish within {CHECK_TIMEOUT:.0f} s"
        stdout, stderr, returncode = ran
        try:
            if returncode != 0:
                raise ValueError(f"exit status {returncode}: {stderr.strip()[-300:]}")
            answers = json.loads(stdout)["items"]
            out = {item: {"stdout": str(answers[item]["stdout"])[-MAX_OUTPUT:], "stderr": "",
                          "returncode": int(answers[item]["returncode"])} for item in items}
            visible = {item: answers[item].get("visible") for item in items}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return f"the grader's answer could not be read ({type(exc).__name__}: {str(exc)[:300]})"
        if self.on_visible:
            for item, passed in visible.items():
                if passed is not None:
                    self.on_visible(item, passed is True)
        return out

    def grade(self, item: str, params: bytes, conn: socket.socket) -> dict | None:
        problem = _check_params(params) if params else None
        if problem:
            return {"stdout": f"{item}: the model's parameters cannot be graded ({problem})", "stderr": "",
                    "returncode": 1}
        if self.snapshot is None:
            return {"stdout": f"{item}: could not be graded: there was no {NOTEBOOK} in the folder when the "
                              "kernel started", "stderr": "", "returncode": 1}
        extra: list[str] = []
        if params:
            path = self.workdir / f"params-{item}.npz"
            path.write_bytes(params)
            extra = ["--params", str(path)]
        ran = self._run(self._command([item], *extra), conn, CHECK_TIMEOUT)
        if ran is None:
            return None
        if ran == "timeout":
            return {"stdout": f"{item}: the hidden checks did not finish within {CHECK_TIMEOUT:.0f} s",
                    "stderr": "", "returncode": 1}
        stdout, stderr, returncode = ran
        return {"stdout": stdout[-MAX_OUTPUT:], "stderr": stderr, "returncode": returncode}


def _hung_up(conn: socket.socket, wait: float = 0.2) -> bool:
    """Waits up to ``wait`` seconds for the client. While its request is graded it only waits:
    anything it does (closing its end: interrupted; or sending more than its request) ends the
    request."""
    ready, _, _ = select.select([conn], [], [], wait)
    return bool(ready)


def _killpg(proc: subprocess.Popen) -> None:
    """Kill a grading process; its sandboxed workers die with it (bubblewrap's
    --die-with-parent), and the cgroups it made for them (sandbox.ControlGroup names them
    tln-<its pid>-...) are removed here, since it cannot any more."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
    _kill_cgroups([str(d) for d in Path("/sys/fs/cgroup").glob(f"*/tln-{proc.pid}-*")])


# ----------------------------------------------------------------------------------------------
# The launcher
# ----------------------------------------------------------------------------------------------

def _read_notebook(folder_fd: int) -> bytes | None:
    """The notebook in the submission folder, if it is a regular file (never through a link)."""
    try:
        fd = os.open(NOTEBOOK, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder_fd)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_PARAMS:
            return None
        return f.read()


def _unsafe_folder(cwd: Path) -> str | None:
    """Why binding ``cwd`` read-write into the sandbox would expose too much, or None."""
    here = Path(__file__).resolve().parent
    if cwd == Path("/") or cwd == Path.home().resolve():
        return "it is / or the home folder"
    for inside in (here, Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()):
        if inside.is_relative_to(cwd):
            return f"it contains {inside}"
    return None


class Launcher:
    def __init__(self, connection_file: Path, info: dict, cwd: Path, extra: list[str]):
        self.connection_file, self.info, self.cwd, self.extra = connection_file, info, cwd, extra
        self.limits = kernel_limits()
        self.state_file = state_path(connection_file, info["ip"])
        self.state = {"sandboxed": True, "cwd": str(cwd), "launcher": os.getpid(), "cgroups": [], "verdicts": {},
                      "visible": {}}
        self.lock = threading.Lock()
        self.proc: subprocess.Popen | None = None
        self.kernel_pid: int | None = None
        self.status_fd: int | None = None
        self.status = b""
        self.stop_requested: float | None = None

    # signals -------------------------------------------------------------------------
    def _child_pid(self) -> int | None:
        """The host pid of the sandbox's init (bwrap's --json-status-fd), then of the kernel (its child)."""
        if self.kernel_pid:
            return self.kernel_pid
        if self.status_fd is not None:
            try:
                while b"child-pid" not in self.status and (ready := select.select([self.status_fd], [], [], 0)[0]):
                    chunk = os.read(ready[0], 4096)
                    if not chunk:
                        break
                    self.status += chunk
            except OSError:
                pass
        match = re.search(rb'"child-pid":\s*(\d+)', self.status)
        if not match:
            return None
        init = int(match.group(1))
        try:
            children = Path(f"/proc/{init}/task/{init}/children").read_text().split()
        except OSError:
            return None
        if children:
            self.kernel_pid = int(children[0])
        return self.kernel_pid

    def _signal_kernel(self, signum: int) -> None:
        pid = self._child_pid()
        if pid:
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                pass

    def _on_interrupt(self, signum, frame) -> None:
        self._signal_kernel(signal.SIGINT)

    def _on_stop(self, signum, frame) -> None:
        self._signal_kernel(signal.SIGTERM)
        if self.stop_requested is None:
            self.stop_requested = time.monotonic()

    # state --------------------------------------------------------------------------
    def _save_state(self, **changes: Any) -> None:
        with self.lock:
            self.state.update(changes)
            _write_state(self.state_file, self.state)

    def _record(self, kind: str, item: str, passed: bool) -> None:
        """A verdict of the grader: ``kind`` "verdicts" (hidden checks) or "visible"."""
        with self.lock:
            self.state[kind][item] = passed
            _write_state(self.state_file, self.state)

    # run ----------------------------------------------------------------------------
    def run(self) -> int:
        _remove_stale()
        private = Path(_short_tempdir(f"tln-kernel-{os.getpid()}-"))
        self.state["private"] = str(private)
        links: list[Path] = []
        server: GraderServer | None = None
        group: sandbox.ControlGroup | None = None
        try:
            kernel_dir, grader_dir, work = private / "kernel", private / "grader", private / "work"
            for d in (kernel_dir, grader_dir, work, grader_dir / "lib" / "autograder"):
                d.mkdir(parents=True, exist_ok=True)
            # The check_hidden client, alone in a package `autograder` (nothing else of ours).
            (grader_dir / "lib" / "autograder" / "__init__.py").write_text('"""check_hidden only."""\n')
            shutil.copy(Path(__file__).with_name("nbgrader_hidden.py"), grader_dir / "lib" / "autograder")
            # The notebook as nbgrader put it here, before any student code ran.
            folder_fd = os.open(self.cwd, os.O_RDONLY | os.O_DIRECTORY)
            try:
                data = _read_notebook(folder_fd)
            finally:
                os.close(folder_fd)
            snapshot = None
            if data is not None:
                (work / "notebook").mkdir()
                snapshot = work / "notebook" / NOTEBOOK
                snapshot.write_bytes(data)
            # The kernel's connection file: the same ports and key, its sockets in /run/kernel.
            inner = {**self.info, "ip": f"{KERNEL_DIR}/k"}
            (kernel_dir / "connection.json").write_text(json.dumps(inner))
            for name in PORT_NAMES:
                port = int(self.info[name])
                link = Path(f"{self.info['ip']}-{port}")
                tmp = link.with_name(f".{link.name}.{os.getpid()}")
                os.symlink(kernel_dir / f"k-{port}", tmp)
                os.replace(tmp, link)
                links.append(link)
            # Listening from now on; its thread starts after the fork below (preexec_fn runs in
            # the child of a fork, which must not happen while other threads hold locks).
            server = GraderServer(grader_dir / "grader.sock", snapshot, work,
                                  functools.partial(self._record, "verdicts"), functools.partial(self._record, "visible"))

            group = sandbox.ControlGroup(self.limits)
            self.state["cgroups"] = [str(d) for d in group.dirs]
            self._save_state()
            python_args = ["-c", KERNEL_BOOT, "-f", f"{KERNEL_DIR}/connection.json",
                           "--HistoryManager.hist_file=:memory:", *self.extra]
            cmd = bwrap_command(self.cwd, kernel_dir, grader_dir, python_args, readonly=_readonly_data())
            status_r, status_w = os.pipe()
            cmd[1:1] = ["--json-status-fd", str(status_w)]
            self.status_fd = status_r
            for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
                signal.signal(signum, self._on_stop)
            signal.signal(signal.SIGINT, self._on_interrupt)
            use_nproc = os.geteuid() != 0
            limits = self.limits
            # The kernel's own stdout and stderr (ipykernel sends what the notebook prints over
            # ZeroMQ) go to a file capped by RLIMIT_FSIZE, not into nbgrader's pipes; its end is
            # passed on to nbgrader's log when the kernel stops.
            output = open(work / "kernel.out", "wb")
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                                         env=_kernel_env(self.cwd), pass_fds=(status_w,),
                                         preexec_fn=lambda: sandbox.preexec(limits, use_nproc, group), close_fds=True)
            output.close()
            os.close(status_w)
            server.start()
            while self.proc.poll() is None:
                # Learn the kernel's pid (for SIGINT) at once, while it is the only process of
                # the sandbox besides its init: later, student code could have left others.
                if self.kernel_pid is None:
                    self._child_pid()
                if self.stop_requested is not None and time.monotonic() - self.stop_requested > 3:
                    self.proc.kill()  # bwrap: its sandbox (a PID namespace) dies with it
                    break
                try:
                    self.proc.wait(timeout=0.2 if self.kernel_pid else 0.01)
                except subprocess.TimeoutExpired:
                    pass
            code = self.proc.wait()
            return code if code >= 0 else 128 - code
        finally:
            if self.proc is not None and self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            if group is not None:
                _kill_cgroups([str(d) for d in group.dirs])
            if server is not None and server.is_alive():
                server.stop()
            elif server is not None:
                server.sock.close()
            _log_tail(private / "work" / "kernel.out")
            removed = sanitize_folder(self.cwd)
            if removed:
                print(f"[{KERNEL_NAME}] removed links and special files the notebook left in {self.cwd}: "
                      + ", ".join(removed[:20]), file=sys.stderr, flush=True)
            for link in links:
                try:
                    if os.readlink(link).startswith(str(private)):
                        link.unlink()
                except OSError:
                    pass
            shutil.rmtree(private, ignore_errors=True)
            try:
                self._save_state(finished=True)
            except OSError:
                pass


def _log_tail(path: Path, n: int = 4000) -> None:
    """The end of the kernel's own output, on the launcher's stderr (nbgrader's log)."""
    try:
        with open(path, "rb") as f:
            f.seek(max(0, os.fstat(f.fileno()).st_size - n))
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return
    # ipykernel's banner ("NOTE: When using the `ipython kernel` entry point, Ctrl-C will not
    # work. ... --existing <connection file>") is printed by every kernel: leave it out.
    text = re.sub(r"NOTE: When using the `ipython kernel` entry point.*?--existing \S+", "", text, flags=re.S).strip()
    if text:
        print(f"[{KERNEL_NAME}] the sandboxed kernel's output:\n{text}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -I -m autograder.sandbox_kernel",
                                     description="Start an ipykernel confined by bubblewrap (see the module's doc).")
    parser.add_argument("-f", dest="connection_file", required=True, help="the kernel's connection file")
    args, extra = parser.parse_known_args(argv)
    connection_file = Path(args.connection_file).absolute()
    cwd = Path.cwd().resolve()
    ok, reason = available()
    unsafe = _unsafe_folder(cwd) if ok else None
    if not ok or unsafe:
        reason = reason or f"the kernel's folder {cwd} cannot be confined ({unsafe})"
        warn_unconfined(reason)
        try:
            ip = json.loads(connection_file.read_text()).get("ip", "")
            if os.path.isabs(ip):
                _write_state(state_path(connection_file, ip), {"sandboxed": False, "reason": reason})
        except (OSError, ValueError, AttributeError):
            pass
        os.execv(sys.executable, [sys.executable, "-c", KERNEL_BOOT, "-f", str(connection_file), *extra])
    info = json.loads(connection_file.read_text())
    if info.get("transport") != "ipc" or not os.path.isabs(info.get("ip", "")):
        print(f"{KERNEL_NAME}: the kernel needs ZeroMQ's ipc transport with an absolute address (the sandbox "
              f"has no network): set c.KernelManager.transport = 'ipc' and c.KernelManager.ip to an absolute "
              f"path (nbgrader_config.py does); got transport={info.get('transport')!r} ip={info.get('ip')!r}",
              file=sys.stderr)
        return 2
    return Launcher(connection_file, info, cwd, extra).run()


if __name__ == "__main__":
    sys.exit(main())
