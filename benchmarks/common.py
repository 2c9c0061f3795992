"""What every benchmark shares: paths, timing, the machine's description, finding CIFAR-10."""

from __future__ import annotations

import atexit
import functools
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RELEASE_NOTEBOOK = REPO / "release" / "two_layer_net" / "two_layer_net.ipynb"
SHARED_BUILD_CIFAR10 = REPO.parent / "shared" / "datasets" / "build-cifar10"
PYTHON = sys.executable


def log(message: str) -> None:
    """Progress on stderr (the table goes to stdout)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def loadavg() -> list[float]:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return []


# --------------------------------------------------------------------------------------------
# Timing: every measurement of the benchmarks goes through these


class Stopwatch:
    """``with Stopwatch() as sw: ...``, then ``sw.seconds`` (wall) and ``sw.cpu_seconds`` (CPU time
    of this process, all its threads); ``elapsed()`` while it runs. It starts when made, and again
    at the start of the ``with`` block."""

    seconds: float
    cpu_seconds: float

    def __init__(self) -> None:
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def __enter__(self) -> Stopwatch:
        self.__init__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = self.elapsed()
        self.cpu_seconds = time.process_time() - self._cpu

    def elapsed(self) -> float:
        """Wall seconds since the start."""
        return time.perf_counter() - self._wall


def timings(fn: Callable[[], Any], repeats: int) -> list[float]:
    """Wall seconds of each of ``repeats`` calls of ``fn``."""
    times = []
    for _ in range(repeats):
        with Stopwatch() as sw:
            fn()
        times.append(sw.seconds)
    return times


def best_of(fn: Callable[[], Any], repeats: int) -> float:
    """The shortest of ``repeats`` timings of ``fn`` (on a shared machine the other processes only
    ever add time)."""
    return min(timings(fn, repeats))


def summary(times: list[float]) -> dict[str, Any]:
    """Best, median and all of repeated timings (best is what the tables show)."""
    return {"best": min(times), "median": statistics.median(times), "all": [round(t, 4) for t in times]}


class PhaseTimer:
    """Seconds spent in phases of a run, summed per phase name: timers wrapped around functions of
    the code measured, in this process only (its files are not touched), until ``restore()`` (or
    the end of a ``with PhaseTimer() as timer:`` block)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._saved: list[tuple[Any, str, Any]] = []

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time the block and add its seconds to the phase ``name``."""
        sw = Stopwatch()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + sw.elapsed()

    def timed(self, fn: Callable[..., Any], name: Callable[..., str]) -> Callable[..., Any]:
        """``fn`` with each call's time added to the phase ``name(*args, **kwargs)``."""

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.phase(name(*args, **kwargs)):
                return fn(*args, **kwargs)

        return wrapper

    def replace(self, owner: Any, attr: str, new: Any) -> None:
        """``owner.attr`` (``owner[attr]`` for a dict) is ``new`` until restore()."""
        if isinstance(owner, dict):
            self._saved.append((owner, attr, owner[attr]))
            owner[attr] = new
        else:
            self._saved.append((owner, attr, getattr(owner, attr)))
            setattr(owner, attr, new)

    def wrap(self, owner: Any, attr: str, name: Callable[..., str]) -> None:
        """Time the calls of ``owner.attr`` (or ``owner[attr]``) under the phase ``name(*args, **kwargs)``."""
        original = owner[attr] if isinstance(owner, dict) else getattr(owner, attr)
        self.replace(owner, attr, self.timed(original, name))

    def restore(self) -> None:
        for owner, attr, original in reversed(self._saved):
            if isinstance(owner, dict):
                owner[attr] = original
            else:
                setattr(owner, attr, original)
        self._saved.clear()

    def __enter__(self) -> PhaseTimer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.restore()


# --------------------------------------------------------------------------------------------


def corpus():
    """``tests/corpus.py`` (write_submission, MISTAKES, CORRECT), imported from its file."""
    tests = str(REPO / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)
    import corpus as module

    return module


# --------------------------------------------------------------------------------------------
# The machine


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _cpu_flags() -> list[str]:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                return sorted(f for f in flags if f.startswith(("avx", "fma", "sse4")))
    except OSError:
        pass
    return []


def machine() -> dict[str, Any]:
    """nproc, the CPU, memory, numpy and its BLAS (threadpoolctl), torch, OPENBLAS_CORETYPE."""
    import numpy as np

    info: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "cpu_flags": _cpu_flags(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS"),
        "loadavg_at_start": loadavg(),
    }
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        info["memory_gib"] = round(pages / 1024**3, 1)
    except (ValueError, OSError):
        pass
    try:
        from threadpoolctl import threadpool_info

        info["blas"] = [{k: v for k, v in pool.items() if k != "filepath"} for pool in threadpool_info()]
    except ImportError:
        info["blas"] = "threadpoolctl not installed"
    try:  # without importing it: its OpenMP runtime must start in the child that measures it
        from importlib.metadata import PackageNotFoundError, version

        info["torch"] = version("torch")
    except PackageNotFoundError:
        info["torch"] = None
    info["OMP_WAIT_POLICY"] = os.environ.get("OMP_WAIT_POLICY")
    info["bwrap"] = shutil.which("bwrap")
    return info


# --------------------------------------------------------------------------------------------
# CIFAR-10


def find_cifar10(explicit: str | None) -> tuple[Path | None, str]:
    """Where CIFAR-10 is: ``--cifar10-dir``, ``$CIFAR10_DIR``, the repository's ``data/`` (what
    ``make cifar10`` builds), else built from ``../shared/datasets/build-cifar10`` into a
    temporary folder (removed at exit). ``(None, why)`` when none of these works."""
    from twolayer.data import default_data_dir, is_cifar10_installed

    candidates = [
        ("--cifar10-dir", explicit),
        ("CIFAR10_DIR", os.environ.get("CIFAR10_DIR")),
        ("data/ (make cifar10)", str(REPO / "data")),
        ("the course's default data folder", str(default_data_dir())),
    ]
    for origin, folder in candidates:
        if folder and is_cifar10_installed(folder):
            return Path(folder), origin
        if folder and origin in ("--cifar10-dir", "CIFAR10_DIR"):
            return None, f"{origin}={folder} holds no complete CIFAR-10 install"
    if SHARED_BUILD_CIFAR10.is_file():
        dest = Path(tempfile.mkdtemp(prefix="bench-cifar10-"))
        atexit.register(shutil.rmtree, dest, ignore_errors=True)
        log(f"building CIFAR-10 from {SHARED_BUILD_CIFAR10} into {dest} ...")
        done = subprocess.run(
            [PYTHON, str(SHARED_BUILD_CIFAR10), str(dest)], capture_output=True, text=True, check=False
        )
        if done.returncode == 0 and is_cifar10_installed(dest):
            return dest, f"built from {SHARED_BUILD_CIFAR10} (temporary)"
        return None, f"building it from {SHARED_BUILD_CIFAR10} failed: {done.stderr.strip()[-300:]}"
    return None, ("CIFAR-10 not found: pass --cifar10-dir or set CIFAR10_DIR (`make cifar10` installs it into data/)")


# --------------------------------------------------------------------------------------------
# What was measured


FINGERPRINTED = (
    "source/two_layer_net/two_layer_net.ipynb",
    "source/two_layer_net/twolayer",
    "source/two_layer_net/twolayer/checks",
    "autograder/grading",
    "autograder/execution",
    "autograder/sandbox",
    "autograder/nbgrader",
    "autograder/nbgrader/kernel",
    "autograder/nbgrader/preprocessors",
    "autograder/suite",
    "nbgrader_config.py",
)


def code_state() -> dict[str, Any]:
    """The commit, the files changed since it, and a hash of each file the numbers depend on
    (others may be editing them while the benchmark runs)."""
    import hashlib

    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", *args], cwd=REPO, capture_output=True, text=True, timeout=20, check=False
            ).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return ""

    files = {}
    for rel in FINGERPRINTED:
        path = REPO / rel
        parts = sorted(path.glob("*.py")) if path.is_dir() else [path] if path.is_file() else []
        files[rel] = hashlib.sha256(b"".join(p.read_bytes() for p in parts)).hexdigest()[:12] if parts else None
    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "changed": git("status", "--porcelain").splitlines(),
        "sha256": files,
    }


# Markdown tables of the results (each part's module renders its own).


def table(headers: list[str], rows: list[list[Any]]) -> str:
    cells = [[str(c) for c in headers]] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(r: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + " |"

    return "\n".join(
        [line(cells[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [line(r) for r in cells[1:]]
    )


def f(value: Any, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def pct(value: Any) -> str:
    return "" if value is None else f"{100 * value:.0f}%"
