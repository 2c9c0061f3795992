"""The benchmarks (make bench) still import and render: they run only by hand, so a renamed name
of the grader would otherwise break them unseen."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MODULES = (
    "benchmarks.__main__",
    "benchmarks.common",
    "benchmarks.grading",
    "benchmarks.training",
    "benchmarks.student",
    "benchmarks.worst_case",
)


def test_the_benchmarks_import_and_render_the_committed_results():
    imports = subprocess.run(
        [sys.executable, "-c", "; ".join(f"import {m}" for m in MODULES)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert imports.returncode == 0, imports.stderr[-2000:]
    for results, title in (("results.json", "Grading"), ("results-worst-case.json", "The worst case")):
        render = subprocess.run(
            [sys.executable, "-m", "benchmarks", "--render", str(REPO / "benchmarks" / results)],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=120,
        )
        assert render.returncode == 0, render.stderr[-2000:]
        assert title in render.stdout


def test_the_worst_case_class_replaces_the_last_submissions_with_hostile_training_cells():
    sys.path.insert(0, str(REPO))
    from benchmarks import grading, worst_case

    hostile = worst_case.hostile_submissions()
    plain = grading.class_submissions(20)
    bad = worst_case.with_hostile(plain, hostile)
    assert len(bad) == len(plain) == 20
    assert [s["description"] for s in bad[:16]] == [s["description"] for s in plain[:16]]
    assert [s["kind"] for s in bad[16:]] == ["hostile"] * 4
    assert len({s["student"] for s in bad}) == 20
    for sub in bad[16:]:
        (cell,) = sub["answers"]
        assert cell == sub["item"] and cell in ("solver", "hyperparameter_search")
        compile(sub["answers"][cell], cell, "exec")
