"""Grading on a Dask cluster against ``--jobs`` on the same machine, in the same run.

The class of ``benchmarks.grading`` (digits) is graded four ways, one after the other, each from
a fresh start: ``--jobs 1``, ``--jobs 2``, and ``--scheduler`` with one and with two workers
(``dask scheduler`` and ``dask worker --nthreads 1`` processes on 127.0.0.1, each worker pinned
to a core of its own). A class of invalid notebooks (ungraded at once, nothing to run) measures
what Dask adds per submission on its own. With CIFAR-10, the reference solution graded on
CIFAR-10 gives the per-submission cost that the projection for a 600-student class uses
(``projection``; docs/cluster.md says how).
"""

from __future__ import annotations

import json
import math
import os
import signal
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from .common import PYTHON, Stopwatch, corpus, f, log, table
from .grading import class_submissions, write_class

DASK = str(Path(PYTHON).with_name("dask"))
ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
#: Notebooks graded at once in each run.
SLOTS = {"jobs 1": 1, "jobs 2": 2, "dask, 1 worker": 1, "dask, 2 workers": 2}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """``dask scheduler`` and ``workers`` one-thread ``dask worker`` processes, each on a core of its own."""

    def __init__(self, workers: int, folder: Path) -> None:
        self.address = f"tcp://127.0.0.1:{_free_port()}"
        env = {**os.environ, **ENV}
        cores = sorted(os.sched_getaffinity(0))
        self.processes = [
            subprocess.Popen(
                [DASK, "scheduler", "--host", "127.0.0.1", "--port", self.address.rsplit(":", 1)[1], "--no-dashboard"],
                stdout=subprocess.DEVNULL,
                stderr=open(folder / "scheduler.log", "w"),  # noqa: SIM115 - as long as the process runs
                env=env,
                start_new_session=True,
            )
        ]
        for n in range(workers):
            core = cores[n % len(cores)]
            self.processes.append(
                subprocess.Popen(
                    [DASK, "worker", self.address, "--nthreads", "1", "--nworkers", "1", "--no-dashboard",
                     "--host", "127.0.0.1"],
                    stdout=subprocess.DEVNULL,
                    stderr=open(folder / f"worker{n}.log", "w"),  # noqa: SIM115
                    env=env,
                    start_new_session=True,
                    preexec_fn=lambda core=core: os.sched_setaffinity(0, {core}),
                )
            )  # fmt: skip
        from distributed import Client

        with Client(self.address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=120)

    def close(self) -> None:
        for p in self.processes:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()


def grade(submitted: Path, workdir: Path, where: list[str], dataset: str = "digits") -> dict[str, Any]:
    """``python -m autograder grade`` of the class: wall time, and each notebook's time in the grader."""
    workdir.mkdir(parents=True, exist_ok=True)
    cmd = [PYTHON, "-m", "autograder", "grade", str(submitted), *where, "--seed", "1", "-q", "--format", "json"]
    cmd += ["--dataset", dataset, "-o", str(workdir / "report.json"), "--csv", str(workdir / "grades.csv")]
    with Stopwatch() as sw:
        done = subprocess.run(cmd, cwd=workdir, env={**os.environ, **ENV}, capture_output=True, text=True, check=False)
    out: dict[str, Any] = {"where": " ".join(where), "seconds": sw.seconds, "returncode": done.returncode}
    if done.returncode != 0:
        out["error"] = done.stderr[-2000:]
        return out
    subs = json.loads((workdir / "report.json").read_text())["submissions"]
    out["grader_seconds"] = [s["seconds"] for s in subs]
    out["scores"] = {s["student"]: (s["status"], s["score"]) for s in subs}
    out["grades_csv"] = (workdir / "grades.csv").read_text()
    return out


def _invalid_class(submitted: Path, count: int) -> None:
    for i in range(count):
        path = submitted / f"empty{i:02d}" / "two_layer_net" / "two_layer_net.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{ not a notebook")


def benchmark(count: int = 12, cifar10_dir: Path | None = None) -> dict[str, Any]:
    """Every measurement, and the projection (see the module docstring)."""
    out: dict[str, Any] = {"submissions": count, "runs": {}}
    loadavg_start = os.getloadavg()[0]
    if cifar10_dir is not None:  # before the workers start: they must find it too
        os.environ["CIFAR10_DIR"] = str(cifar10_dir)
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
        root = Path(tmp)
        submitted = root / "submitted"
        write_class(submitted, class_submissions(count))
        invalid = root / "invalid"
        _invalid_class(invalid, 40)
        for label, jobs in (("jobs 1", 1), ("jobs 2", 2)):
            log(f"grading {count} submissions with --jobs {jobs}")
            out["runs"][label] = grade(submitted, root / label.replace(" ", ""), ["--jobs", str(jobs)])
        log("the class of 40 invalid notebooks with --jobs 1")
        out["invalid_jobs_1"] = grade(invalid, root / "inv-jobs1", ["--jobs", "1"])
        for workers in (1, 2):
            label = f"dask, {workers} worker{'s' if workers > 1 else ''}"
            log(f"starting a Dask scheduler and {workers} worker(s)")
            folder = root / f"dask{workers}"
            folder.mkdir()
            cluster = Cluster(workers, folder)
            try:
                log(f"grading {count} submissions on the cluster ({workers} worker(s))")
                out["runs"][label] = grade(submitted, folder / "class", ["--scheduler", cluster.address])
                if workers == 1:
                    log("the class of 40 invalid notebooks on the cluster")
                    out["invalid_dask_1"] = grade(invalid, folder / "invalid", ["--scheduler", cluster.address])
                    if cifar10_dir is not None:
                        out["cifar10"] = _cifar10(root, cluster, cifar10_dir)
            finally:
                cluster.close()
    out["loadavg"] = [loadavg_start, os.getloadavg()[0]]
    _derive(out)
    return out


def _cifar10(root: Path, cluster: Cluster, cifar10_dir: Path) -> dict[str, Any]:
    """The reference solution graded on CIFAR-10: on one worker, and with --jobs 1 and 2 (2 copies)."""
    sub = root / "cifar10"
    for name in ("ref1", "ref2"):
        corpus().write_submission(sub / name / "two_layer_net" / "two_layer_net.ipynb")
    runs = {}
    for label, where in (("jobs 1", ["--jobs", "1"]), ("jobs 2", ["--jobs", "2"])):
        log(f"grading the solution twice on CIFAR-10 with --{label}")
        runs[label] = grade(sub, root / f"c10-{label.replace(' ', '')}", where, dataset="cifar10")
    log("grading the solution twice on CIFAR-10 on one Dask worker")
    runs["dask, 1 worker"] = grade(sub, root / "c10-dask", ["--scheduler", cluster.address], dataset="cifar10")
    return runs


def _derive(out: dict[str, Any]) -> None:
    runs, n = out["runs"], out["submissions"]
    ok = all(r.get("returncode") == 0 for r in runs.values())
    out["same_grades"] = ok and len({r["grades_csv"] for r in runs.values()}) == 1
    for r in runs.values():
        if r.get("returncode") == 0:
            r["per_minute"] = 60 * n / r["seconds"]
    for label, r in runs.items():
        if r.get("returncode") == 0:
            # Wall time per notebook not spent grading it (start-up, scheduling, sending, collecting):
            # the wall time less the grader's own time, shared by the slots that grade at once.
            slots = SLOTS[label]
            r["outside_grader_per_submission"] = (r["seconds"] - sum(r["grader_seconds"]) / slots) / n
    if ok:
        # What Dask adds per notebook: one worker against one local job, the same notebooks one at a
        # time; each run's own grading time subtracted, so that the machine's load between the two
        # runs does not count (the shared machine's load moves the wall times by more than Dask's cost).
        out["overhead_per_submission"] = (
            runs["dask, 1 worker"]["outside_grader_per_submission"] - runs["jobs 1"]["outside_grader_per_submission"]
        )
    inv1, invd = out.get("invalid_jobs_1", {}), out.get("invalid_dask_1", {})
    if inv1.get("returncode") == 0 and invd.get("returncode") == 0:
        out["overhead_per_empty_submission"] = (invd["seconds"] - inv1["seconds"]) / 40
    c10 = out.get("cifar10")
    if c10 and all(r.get("returncode") == 0 for r in c10.values()):
        out["projection"] = projection(
            # a machine like this one grades 2 at a time: its rate is 2 notebooks per (wall of --jobs 2)
            seconds_per_submission_per_machine=c10["jobs 2"]["seconds"] / 2,
            one_at_a_time=max(c10["dask, 1 worker"]["grader_seconds"]),
            overhead=max(out.get("overhead_per_submission", 0.0), 0.0),
        )


def projection(
    seconds_per_submission_per_machine: float, one_at_a_time: float, overhead: float, students: int = 600
) -> dict[str, Any]:
    """Wall time of ``students`` CIFAR-10 submissions on 10 and 50 machines like this one.

    Each machine grades at the rate measured here with ``--jobs 2`` (``seconds_per_submission_per_machine``
    of wall time per notebook, both cores busy), and Dask adds ``overhead`` per notebook. The
    class takes ``ceil(students / machines)`` notebooks' time per machine; the last round cannot be
    shorter than one notebook graded alone (``one_at_a_time``), whatever the number of machines."""
    rows = {}
    for machines in (1, 10, 50):
        per_machine = math.ceil(students / machines)
        seconds = per_machine * (seconds_per_submission_per_machine + overhead)
        rows[machines] = max(seconds, one_at_a_time)
    return {
        "students": students,
        "seconds_per_submission_per_machine": seconds_per_submission_per_machine,
        "one_at_a_time": one_at_a_time,
        "overhead": overhead,
        "seconds": rows,
    }


def tables(c: dict[str, Any]) -> str:
    n = c["submissions"]
    lines = [f"### Grading {n} submissions (digits) locally and on a Dask cluster on this machine", ""]
    rows = [
        [
            label,
            f(r.get("seconds"), 1),
            f(r.get("per_minute"), 1),
            f(sum(r.get("grader_seconds", [])), 1),
            f(r.get("outside_grader_per_submission"), 2),
            r.get("error", "")[-200:].replace("\n", " "),
        ]
        for label, r in c["runs"].items()
    ]
    headers = ["how", "wall s", "submissions/min", "grader s (sum)", "s/submission outside the grader", "error"]
    lines.append(table(headers, rows))
    lines.append("")
    lines.append(f"Same grades (CSV) in all four: {'yes' if c.get('same_grades') else 'NO'}.")
    if c.get("loadavg"):
        lines.append(f"Load average (1 min) before and after: {c['loadavg'][0]} -> {c['loadavg'][1]} (2 cores).")
    if "overhead_per_submission" in c:
        lines.append(
            f"Dask's overhead per submission (1 worker against --jobs 1, the same class): "
            f"{c['overhead_per_submission']:.2f} s; on notebooks with nothing to run (40 invalid ones): "
            f"{c.get('overhead_per_empty_submission', float('nan')):.3f} s."
        )
    p = c.get("projection")
    if p:
        lines += [
            "",
            f"Projection for {p['students']} CIFAR-10 submissions (the reference's cost: "
            f"{p['seconds_per_submission_per_machine']:.1f} s of a 2-core machine per submission with 2 jobs, "
            f"{p['one_at_a_time']:.1f} s for one alone, + {p['overhead']:.2f} s of Dask each):",
            "",
            table(
                ["machines", "wall time"],
                [[m, f"{s / 60:.1f} min"] for m, s in p["seconds"].items()],
            ),
        ]
    return "\n".join(lines) + "\n"
