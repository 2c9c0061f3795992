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
    render = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--render", str(REPO / "benchmarks" / "results.json")],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert render.returncode == 0, render.stderr[-2000:]
    assert "Grading" in render.stdout
    similarity = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--render", str(REPO / "benchmarks" / "results-similarity.json")],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert similarity.returncode == 0, similarity.stderr[-2000:]
    assert "Similarity report on a synthetic class" in similarity.stdout


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
