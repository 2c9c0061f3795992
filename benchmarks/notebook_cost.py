"""What one CIFAR-10 notebook costs the grader, full against empty, and the time of a class of 600.

Measured in one run with ``python -m autograder grade --dataset cifar10``:

- **full**: the reference solution (its Solver run and its search, 4 configurations of 10
  epochs), graded alone (``--jobs 1``, the machine to itself), then two copies at once
  (``--jobs 2``: the machine's rate with both cores busy);
- **empty**: the untouched release notebook (nothing trains), alone.

The projection takes ``t``, the wall seconds of one machine per full notebook at its better rate
(alone, or half of the pair), plus Dask's overhead per notebook ``o`` (the cluster benchmark's,
0.22 s): ``T(M) = ceil(600 / M) * (t + o)`` on M machines like this one. A student's own search
may train more than the reference's: with a search k times as long, ``t_k = t * (1 + (k - 1) * s)``,
where ``s`` is the search cell's share of the reference's grading (its ``cell_seconds``). At most,
every notebook uses its training cells' whole budgets (``assignment.toml``).

``make bench BENCH_ARGS='--only notebook_cost --cifar10-dir DIR'``.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from .common import PYTHON, RELEASE_NOTEBOOK, REPO, Stopwatch, corpus, f, loadavg, log, table

STUDENTS = 600
MACHINES = (1, 10, 50)
SEARCH_FACTORS = (1, 2, 4)  # the reference's search, and searches 2 and 4 times as long
DASK_OVERHEAD = 0.22  # seconds per notebook (benchmarks/results-cluster.json: overhead_per_submission)


def grade(folder: Path, jobs: int, env: dict[str, str], workdir: Path) -> dict[str, Any]:
    workdir.mkdir(parents=True, exist_ok=True)
    cmd = [PYTHON, "-m", "autograder", "grade", str(folder), "--dataset", "cifar10", "--jobs", str(jobs), "-q"]
    cmd += ["--seed", "1", "--format", "json", "-o", str(workdir / "r.json"), "--journal", str(workdir / "j.jsonl")]
    start_load = loadavg()
    with Stopwatch() as sw:
        done = subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True, check=False)
    out: dict[str, Any] = {"jobs": jobs, "seconds": sw.seconds, "loadavg": start_load}
    if done.returncode != 0:
        out["error"] = done.stderr[-1000:]
        return out
    subs = json.loads((workdir / "r.json").read_text())["submissions"]
    out["graded"] = [{"score": s["score"], "seconds": s["seconds"], "cells": s["cell_seconds"]} for s in subs]
    return out


def benchmark(cifar10_dir: Path) -> dict[str, Any]:
    env = {**os.environ, "CIFAR10_DIR": str(cifar10_dir)}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(REPO / "source" / "two_layer_net")])
    runs: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-cost-") as tmp:
        root = Path(tmp)
        for name in ("a", "b"):
            corpus().write_submission(root / "pair" / name / "two_layer_net" / "two_layer_net.ipynb", {}, solved=True)
        shutil.copytree(root / "pair" / "a", root / "alone" / "a")
        (root / "empty" / "e" / "two_layer_net").mkdir(parents=True)
        shutil.copy2(RELEASE_NOTEBOOK, root / "empty" / "e" / "two_layer_net" / "two_layer_net.ipynb")
        for label, folder, jobs in (
            ("full, alone", "alone", 1),
            ("full, two at once", "pair", 2),
            ("empty", "empty", 1),
        ):
            log(f"notebook cost: {label} (--jobs {jobs})")
            runs[label] = grade(root / folder, jobs, env, root / f"work-{folder}")
    out: dict[str, Any] = {"runs": runs}
    if not any("error" in r for r in runs.values()):
        out["projection"] = projection(runs)
    return out


def projection(runs: dict[str, Any]) -> dict[str, Any]:
    from twolayer.config import training_budgets

    alone, pair = runs["full, alone"], runs["full, two at once"]
    t = min(alone["seconds"], pair["seconds"] / 2)
    graded = alone["graded"][0]
    share = graded["cells"].get("hyperparameter_search", 0.0) / graded["seconds"]
    rows = {}
    for k in SEARCH_FACTORS:
        rows[f"{k}x"] = t * (1 + (k - 1) * share)
    # At most: every training cell runs to its budget, two notebooks at once on a machine.
    rows["budgets"] = sum(training_budgets("cifar10").values()) / 2
    seconds = {
        label: {m: math.ceil(STUDENTS / m) * (t_k + DASK_OVERHEAD) for m in MACHINES} for label, t_k in rows.items()
    }
    return {"t": t, "search_share": share, "t_by_search": rows, "seconds": seconds}


def _duration(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds < 7200 else f"{seconds / 3600:.1f} h"


def tables(c: dict[str, Any]) -> str:
    lines = ["### What a CIFAR-10 notebook costs the grader: full against empty", ""]
    rows = []
    for label, r in c["runs"].items():
        graded = r.get("graded", [])
        cells = graded[0]["cells"] if graded else {}
        rows.append(
            [
                label,
                r["jobs"],
                f(r["seconds"], 1),
                f(r["seconds"] / max(1, len(graded)), 1),
                ", ".join(f"{g['score']:g}" for g in graded),
                f"{cells.get('solver', 0):.1f} / {cells.get('hyperparameter_search', 0):.1f}" if cells else "",
                ", ".join(f"{v:.1f}" for v in r["loadavg"][:1]),
                r.get("error", "")[-200:].replace("\n", " "),
            ]
        )
    headers = ["notebook", "--jobs", "wall s", "wall s per notebook", "points", "Solver / search cell s", "load"]
    lines.append(table([*headers, "error"], rows))
    p = c.get("projection")
    if p:
        lines += [
            "",
            f"A class of {STUDENTS} full notebooks on M machines like this one, t = {p['t']:.1f} s per notebook "
            f"and machine (+ {DASK_OVERHEAD} s of Dask each); the search cell is {100 * p['search_share']:.0f}% "
            "of the reference's grading:",
            "",
        ]
        headers = ["search", "t s"] + [f"{m} machine{'s' if m > 1 else ''}" for m in MACHINES]
        names = {"1x": "the reference's", "budgets": "every training cell at its budget (the most)"}
        rows = [
            [names.get(label, f"{label} as long as the reference's"), f(t_k, 1)]
            + [_duration(s) for s in p["seconds"][label].values()]
            for label, t_k in p["t_by_search"].items()
        ]
        lines.append(table(headers, rows))
    return "\n".join(lines) + "\n"
