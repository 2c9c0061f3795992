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
    "benchmarks.similarity",
    "benchmarks.worst_case",
    "benchmarks.cluster",
    "benchmarks.contention",
    "benchmarks.notebook_cost",
    "benchmarks.stand_ins",
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
    for results, title in (
        ("results.json", "Grading"),
        ("results-worst-case.json", "The worst case"),
        ("results-similarity.json", "Similarity report on a synthetic class"),
        ("results-contention.json", "Grading on a busy machine"),
        ("results-notebook-cost.json", "What a CIFAR-10 notebook costs"),
    ):
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


def test_the_similarity_benchmark_runs_on_a_small_class(tmp_path):
    out = tmp_path / "similarity.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--only", "similarity", "--class-size", "24", "--output", str(out)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    import json

    s = json.loads(out.read_text())["similarity"]
    a = s["autograder"]
    assert a["returncode"] == 0, a["summary"]
    assert a["planted_copies_flagged"] == a["planted_copies"] >= 1
    assert s["naive"]["mismatches_with_index"] == 0
    assert [r["count"] for r in s["scales"]] == [6, 12, 24]
