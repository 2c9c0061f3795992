"""Grading on a busy machine: each workload beside 0, 1 and 2 CPU-bound processes, with the BLAS
threads of the code before (``before``) and of ``twolayer/cpus.py`` (``now``), in the same run.

The workloads:

- **CIFAR-10, the reference solution**: ``python -m autograder grade NOTEBOOK --dataset cifar10
  --jobs 1``; ``before`` is today's choice until this change, all the job's cores
  (``--blas-threads`` os.cpu_count() // jobs); ``now`` leaves the choice to the grader.
- **digits, the grading benchmark's class** (``--submissions``, graded with ``--jobs 2``): both
  choose one thread on digits; the rows show that nothing changed there.
- **the student's Solver cell on CIFAR-10** (the source notebook's: hidden 100, 5 epochs, batch
  200), in a process of its own as a kernel: ``before`` with OpenBLAS's own threads (one per
  core), ``now`` after ``twolayer.cpus.use_available_cpus`` (the set-up cell's line).

A competitor is ``python -c "while True: pass"``: always runnable, one core's worth. The
**fair share** of a workload that uses the n CPUs of the machine beside k competitors is what a
fair scheduler gives each runnable thread: n/(n+k) of the machine, a slowdown of (n+k)/n (1.5
with one competitor on 2 cores, 2.0 with two). A slowdown is a run's time over the median of the
same workload's quiet runs (0 competitors) with the same threads policy.

Run alone: ``make bench BENCH_ARGS='--only contention'`` (``--contention-repeats N``; the
median of the repeats is shown). Each run records the BLAS threads its training process was
started with (read from that process's environment) and the CPU time that processes other than
this benchmark's took meanwhile: a run without competitors is quiet when that is about zero. (Not
the load average, which lags by a minute: after a run beside two competitors it stays near 3
through the next quiet run.)
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .common import PYTHON, REPO, Stopwatch, corpus, f, loadavg, log, table

COMPETITOR = "while True: pass"
COMPETITORS = (0, 1, 2)
POLICIES = ("before", "now")
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
# The source notebook's Solver cell on CIFAR-10.
SOLVER_CELL = {"hidden_dim": 100, "learning_rate": 1e-3, "num_epochs": 5, "batch_size": 200, "lr_decay": 0.95}


@contextmanager
def competitors(count: int, env: dict[str, str]) -> Iterator[None]:
    """``count`` CPU-bound processes running meanwhile."""
    procs = [subprocess.Popen([PYTHON, "-c", COMPETITOR], env=env, start_new_session=True) for _ in range(count)]
    try:
        time.sleep(1.0 if count else 0.0)  # running before the workload starts
        yield
    finally:
        for p in procs:
            p.kill()
            p.wait()


class ProcessWatch(threading.Thread):
    """Reads /proc every half second while a run goes on:

    - ``blas_threads``: the largest OPENBLAS_NUM_THREADS among this process's descendants (the
      sandboxed workers are started with it: the training worker's);
    - ``others_cpu``: the CPU seconds that processes other than this one and its descendants took
      meanwhile (each one's utime + stime, last read less first; a process first seen after the
      start counts whole). A quiet run has about none. Read process by process, because the
      machine's busy time less this tree's reaped children misses the sandboxed workers, which are
      reaped outside the tree once their parent is killed."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.seen: set[int] = set()
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._ours: set[int] = set()
        self._halt = threading.Event()
        self._read(first=True)

    def run(self) -> None:
        while not self._halt.wait(0.5):
            self._read(first=False)

    def _read(self, first: bool) -> None:
        me, parents, cpu = os.getpid(), {}, {}
        tick = os.sysconf("SC_CLK_TCK")
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                    parents[int(entry.name)] = int(fields[1])
                    cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
                except (OSError, IndexError, ValueError):
                    pass
        for pid, seconds in cpu.items():
            self._first.setdefault(pid, seconds if first else 0.0)
            self._last[pid] = seconds
            ancestor = pid
            for _ in range(20):  # is it `me` or a descendant of `me`?
                if ancestor in (None, 0, me):
                    break
                ancestor = parents.get(ancestor)
            if ancestor == me:
                self._ours.add(pid)
                if not first:
                    self.seen |= _blas_threads_of(pid)

    def stop(self) -> tuple[int | None, float]:
        """The training worker's BLAS threads, and the other processes' CPU seconds."""
        self._halt.set()
        self.join(timeout=5)
        self._read(first=False)
        others = sum(self._last[p] - self._first[p] for p in self._last if p not in self._ours)
        return max(self.seen, default=None), max(0.0, others)


def _blas_threads_of(pid: int) -> set[int]:
    try:
        env = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return set()
    return {int(v.split(b"=", 1)[1]) for v in env if v.startswith(b"OPENBLAS_NUM_THREADS=") and v[21:].isdigit()}


def before_threads(dataset: str, jobs: int) -> int:
    """The training worker's BLAS threads as chosen until this change (grading.blas_threads then)."""
    return 1 if dataset == "digits" else max(1, (os.cpu_count() or 1) // jobs)


def environment(cifar10_dir: Path | None) -> dict[str, str]:
    """The workloads' environment: no thread settings of this shell's (the policies choose)."""
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(REPO / "source" / "two_layer_net")])
    if cifar10_dir is not None:
        env["CIFAR10_DIR"] = str(cifar10_dir)
    return env


def grade(path: Path, dataset: str, jobs: int, policy: str, env: dict[str, str], workdir: Path) -> dict[str, Any]:
    """One ``python -m autograder grade`` of ``path`` (a notebook or a class)."""
    cmd = [PYTHON, "-m", "autograder", "grade", str(path), "--dataset", dataset, "--jobs", str(jobs), "--seed", "1"]
    cmd += ["-q", "--format", "json", "-o", str(workdir / "report.json"), "--journal", str(workdir / "journal.jsonl")]
    if policy == "before":
        cmd += ["--blas-threads", str(before_threads(dataset, jobs))]
    workdir.mkdir(exist_ok=True)
    (workdir / "journal.jsonl").unlink(missing_ok=True)
    with Stopwatch() as sw:
        done = subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True, check=False)
    out: dict[str, Any] = {"seconds": sw.seconds}
    if done.returncode != 0:
        out["error"] = (done.stderr or done.stdout)[-1000:]
        return out
    subs = json.loads((workdir / "report.json").read_text())["submissions"]
    out["score"] = sum(s["score"] for s in subs)
    return out


def solver_cell(policy: str, env: dict[str, str], cifar10_dir: Path) -> dict[str, Any]:
    """The Solver cell in a process of its own (``python -m benchmarks.contention POLICY DIR``)."""
    cmd = [PYTHON, "-m", "benchmarks.contention", policy, str(cifar10_dir)]
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"error": done.stderr[-1000:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _solver_cell_child(policy: str, cifar10_dir: str) -> dict[str, Any]:
    import numpy as np
    from threadpoolctl import threadpool_info

    from autograder.course.reference import reference
    from twolayer.cpus import use_available_cpus
    from twolayer.data import load_dataset
    from twolayer.solver import Solver

    data = load_dataset("cifar10", cifar10_dir=cifar10_dir)
    said = use_available_cpus("cifar10") if policy == "now" else "OpenBLAS's own threads"
    np.random.seed(0)
    cfg = SOLVER_CELL
    model = reference().TwoLayerNet(input_dim=3072, hidden_dim=cfg["hidden_dim"], num_classes=10)
    solver = Solver(
        model,
        data,
        optim_config={"learning_rate": cfg["learning_rate"]},
        lr_decay=cfg["lr_decay"],
        num_epochs=cfg["num_epochs"],
        batch_size=cfg["batch_size"],
        verbose=False,
    )
    with Stopwatch() as sw:
        solver.train()
    threads = max(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas")
    return {"seconds": sw.seconds, "blas_threads": threads, "said": said, "val_acc": solver.best_val_acc}


WORKLOADS = {
    "cifar10": "CIFAR-10: grading the reference solution (--jobs 1)",
    "digits": "digits: grading the class (--jobs 2)",
    "student": "CIFAR-10: the student's Solver cell (a kernel of its own)",
}


def benchmark(
    cifar10_dir: Path | None, repeats: int = 1, submissions: int = 10, workloads: tuple[str, ...] = tuple(WORKLOADS)
) -> dict[str, Any]:
    from .grading import class_submissions, write_class

    out: dict[str, Any] = {
        "cpus": len(os.sched_getaffinity(0)),
        "repeats": repeats,
        "submissions": submissions,
        "loadavg_start": loadavg(),
        "runs": [],
    }
    env = environment(cifar10_dir)
    with tempfile.TemporaryDirectory(prefix="bench-contention-") as tmp:
        root = Path(tmp)
        reference_nb = root / "cifar10" / "ref" / "two_layer_net" / "two_layer_net.ipynb"
        corpus().write_submission(reference_nb, {}, solved=True)
        write_class(root / "digits", class_submissions(submissions))
        if cifar10_dir is None:
            workloads = tuple(w for w in workloads if w == "digits")
        for r in range(repeats):
            for workload in workloads:
                for k in COMPETITORS:
                    # Alternate which policy goes first, so that drift in the load hits both alike.
                    for policy in POLICIES if (r + k) % 2 == 0 else POLICIES[::-1]:
                        log(f"contention: {workload}, {k} competitor(s), {policy}, run {r + 1}/{repeats}")
                        run = {"workload": workload, "competitors": k, "policy": policy, "loadavg": loadavg()}
                        watch = ProcessWatch()
                        watch.start()
                        with competitors(k, env):
                            if workload == "student":
                                run.update(solver_cell(policy, env, cifar10_dir))
                            else:
                                jobs = 2 if workload == "digits" else 1
                                path = root / "digits" if workload == "digits" else reference_nb
                                run.update(grade(path, workload, jobs, policy, env, root / "work"))
                        threads, run["others_cpu"] = watch.stop()
                        run.setdefault("blas_threads", threads)  # the Solver cell reports its own
                        out["runs"].append(run)
                        log(
                            f"  {run.get('seconds', 0):.1f} s, BLAS threads {run.get('blas_threads')}, "
                            f"other processes' CPU {run['others_cpu']:.1f} s"
                        )
    out["loadavg_end"] = loadavg()
    out["summary"] = summarise(out)
    return out


def summarise(out: dict[str, Any]) -> list[dict[str, Any]]:
    """Per workload, policy and competitors: the median time, its slowdown and the fair share."""
    rows = []
    n = out["cpus"]
    for workload in WORKLOADS:
        for policy in POLICIES:
            runs = [r for r in out["runs"] if r["workload"] == workload and r["policy"] == policy and "seconds" in r]
            quiet = [r["seconds"] for r in runs if r["competitors"] == 0]
            for k in COMPETITORS:
                these = [r for r in runs if r["competitors"] == k]
                if not these:
                    continue
                median = statistics.median(r["seconds"] for r in these)
                rows.append(
                    {
                        "workload": workload,
                        "policy": policy,
                        "competitors": k,
                        "seconds": median,
                        "all": [round(r["seconds"], 1) for r in these],
                        "slowdown": median / statistics.median(quiet) if quiet else None,
                        "now_over_before": None,
                        "fair": (n + k) / n,
                        "blas_threads": sorted({r.get("blas_threads") for r in these}, key=str),
                        "loadavg": [r["loadavg"][0] for r in these if r["loadavg"]],
                        "others_cpu": [r.get("others_cpu") for r in these],
                    }
                )
    for row in rows:  # the two policies at the same load, run back to back
        if row["policy"] == "now":
            before = [r for r in rows if r["policy"] == "before" and r["workload"] == row["workload"]]
            same = [r for r in before if r["competitors"] == row["competitors"]]
            row["now_over_before"] = row["seconds"] / same[0]["seconds"] if same else None
    return rows


def tables(c: dict[str, Any]) -> str:
    lines = [
        f"### Grading on a busy machine: beside 0, 1 and 2 CPU-bound processes ({c['cpus']} CPUs, "
        f"median of {c['repeats']} run(s))",
        "",
    ]
    rows = []
    for s in c["summary"]:
        rows.append(
            [
                WORKLOADS[s["workload"]],
                s["policy"],
                s["competitors"],
                ", ".join(str(t) for t in s["blas_threads"]),
                f(s["seconds"], 1) + (f" ({', '.join(str(x) for x in s['all'])})" if len(s["all"]) > 1 else ""),
                f(s["slowdown"], 2),
                f(s["fair"], 2),
                f(s.get("now_over_before"), 2),
                _others(s),
            ]
        )
    headers = ["workload", "threads policy", "competitors", "BLAS threads", "seconds", "slowdown", "fair share"]
    lines.append(table([*headers, "now / before", "others' CPU s (load)"], rows))
    not_quiet = _not_quiet(c)
    if not_quiet:
        lines += [
            "",
            f"NOT QUIET: other work took CPU during the runs without competitors ({not_quiet}), so their times are "
            "not quiet times and the slowdowns understate; the now / before column (the two policies back to back) "
            "still compares them.",
        ]
    target = [s for s in c["summary"] if s["workload"] == "cifar10" and s["policy"] == "now" and s["competitors"] == 2]
    if target and target[0]["slowdown"] is not None:
        t = target[0]["slowdown"]
        lines += [
            "",
            f"CIFAR-10 grading beside two CPU-bound processes, now: {t:.2f}x its time without them (target 2.2x"
            + ("; NOT a quiet machine, see above)." if not_quiet else ")."),
        ]
    lines.append(f"Load average (1 min) at the start and the end: {c['loadavg_start']} -> {c.get('loadavg_end')}.")
    return "\n".join(lines) + "\n"


def _others(s: dict[str, Any]) -> str:
    """The CPU seconds other processes took during each run (older results: the load average)."""
    measured = [v for v in s.get("others_cpu", []) if v is not None]
    if measured:
        return ", ".join(f"{v:.1f}" for v in measured)
    return "(" + ", ".join(f"{v:.1f}" for v in s["loadavg"]) + ")"


def _not_quiet(c: dict[str, Any]) -> str:
    """Why the runs without competitors were not quiet, or "": other processes took more than a
    tenth of a CPU on average during one of them (older results: a load average above half the CPUs)."""
    quiet = [r for r in c["runs"] if r["competitors"] == 0 and "seconds" in r]
    measured = [r for r in quiet if r.get("others_cpu") is not None]
    if measured:
        worst = max(measured, key=lambda r: r["others_cpu"] / r["seconds"])
        share = worst["others_cpu"] / worst["seconds"]
        return f"{worst['others_cpu']:.1f} CPU s in a run of {worst['seconds']:.1f} s" if share > 0.1 else ""
    loads = [r["loadavg"][0] for r in quiet if r.get("loadavg")]
    return f"load average up to {max(loads):.1f}" if loads and max(loads) > c["cpus"] / 2 else ""


if __name__ == "__main__":  # the Solver cell's process (solver_cell)
    print(json.dumps(_solver_cell_child(sys.argv[1], sys.argv[2])))
