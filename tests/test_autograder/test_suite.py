"""The grader's suite (autograder/suite) run as instructors run it: pytest with its own options."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import corpus

REPO = Path(__file__).resolve().parents[2]
SUITE = REPO / "autograder" / "suite"


def run_pytest(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(SUITE), "-p", "no:cacheprovider", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )


@pytest.fixture(scope="module")
def leaky(tmp_path_factory) -> Path:
    mistake = next(m for m in corpus.MISTAKES if m.name == "leaky ReLU")
    return corpus.write_submission(
        tmp_path_factory.mktemp("leaky") / "eve" / "two_layer_net" / "two_layer_net.ipynb", mistake.answers
    )


def test_pytest_with_k_verbose_and_junitxml(leaky, tmp_path):
    junit = tmp_path / "junit.xml"
    proc = run_pytest(
        "--submission", str(leaky), "-k", "relu", "-v", "--junitxml", str(junit), "--seed", "5", cwd=tmp_path
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout
    assert "FAILED" in out and "PASSED" in out
    assert "Hint: ReLU is max(0, x)" in out and "Traceback" not in out  # the finding, not the grader's stack
    assert "two_layer_net grade" in out and "relu_backward" in out and "affine_forward" not in out.split("grade ==")[-1]
    cases = ET.parse(junit).getroot().iter("testcase")
    names = [c.get("name") for c in cases]
    assert names and all("relu" in n for n in names)


def test_pytest_x_stops_at_the_first_failed_check(leaky, tmp_path):
    proc = run_pytest("--submission", str(leaky), "-k", "relu_forward", "-x", "-q", cwd=tmp_path)
    assert proc.returncode == 1
    assert "1 failed" in proc.stdout and "stopping after 1 failures" in proc.stdout


def test_the_solution_passes_every_check_of_an_item(tmp_path):
    sub = corpus.write_submission(tmp_path / "ada" / "two_layer_net" / "two_layer_net.ipynb")
    proc = run_pytest("--submission", str(sub), "-k", "softmax", "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout
    assert "softmax_loss                10.0 / 10.0  ok" in proc.stdout


def test_without_a_submission_pytest_says_what_to_pass(tmp_path):
    proc = run_pytest("-q", cwd=tmp_path)
    assert proc.returncode == 4 and "--submission" in proc.stderr


def test_every_check_declares_its_item_and_visibility(tmp_path):
    """A test without @visible/@hidden stops the collection (the plugin needs to know its cell)."""
    sub = corpus.write_submission(tmp_path / "two_layer_net.ipynb")
    proc = run_pytest("--submission", str(sub), "--collect-only", "-q", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len([line for line in proc.stdout.splitlines() if "::" in line]) > 50
    bare = tmp_path / "suite"
    import shutil

    shutil.copytree(SUITE, bare / "suite", ignore=shutil.ignore_patterns("__pycache__"))
    (bare / "suite" / "test_unmarked.py").write_text("def test_forgot_the_mark():\n    pass\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(bare / "suite"),
            "--submission",
            str(sub),
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
    )
    assert proc.returncode != 0 and "grades no item" in proc.stdout + proc.stderr


def test_a_suite_that_cannot_be_collected_leaves_the_notebook_ungraded_with_the_reason(tmp_path, monkeypatch):
    """A bug of the grader (here a suite module that cannot be imported) is an ungraded result that
    says so, never a 0, and never taken for Ctrl-C (pytest reports both as "interrupted")."""
    import shutil

    from autograder.grading import run as grading

    broken = tmp_path / "copy" / "suite"
    shutil.copytree(SUITE, broken, ignore=shutil.ignore_patterns("__pycache__"))
    (broken / "test_broken.py").write_text("import no_such_module_of_the_grader\n")
    monkeypatch.setattr(grading, "SUITE", broken)
    sub = corpus.write_submission(tmp_path / "ada" / "two_layer_net" / "two_layer_net.ipynb")
    result = grading.grade_submission(sub, grading.Options(seed=1, items=("relu_forward",)))
    assert result.status == "ungraded" and "suite could not be collected" in result.reason
    assert "no_such_module_of_the_grader" in result.reason
