"""Nothing lost when grading stops: every result is in the journal as it arrives, and --resume
grades only the rest, to the same CSV and report as a run that was never interrupted."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import corpus
from autograder.batch.journal import Journal, digest
from autograder.grading.options import Options
from autograder.grading.results import CellResult, SubmissionResult, Visibility
from twolayer.checks.findings import Finding

LOOP = {"relu_forward": "def relu_forward(x):\n    while True:\n        pass\n"}
ARGS = ["--item", "affine_forward", "--item", "relu_forward", "--jobs", "2", "--seed", "1", "--timeout", "5", "-q"]


def grade(folder: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "autograder",
            "grade",
            "submitted",
            *ARGS,
            "--csv",
            "grades.csv",
            "-o",
            "report.txt",
            *extra,
        ],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("class")
    for i in range(5):
        corpus.write_submission(root / "submitted" / f"s{i}" / "two_layer_net" / "two_layer_net.ipynb")
    corpus.write_submission(root / "submitted" / "loop" / "two_layer_net" / "two_layer_net.ipynb", LOOP)
    return root


def copy_of(klass: Path, dest: Path) -> Path:
    import shutil

    shutil.copytree(klass / "submitted", dest / "submitted")
    return dest


def without_times(report: str) -> str:
    return re.sub(r"time: [\d.]+ s|\d+ notebook\(s\) in [\d.]+ s", "#", report)


@pytest.fixture(scope="module")
def uninterrupted(klass, tmp_path_factory) -> tuple[str, str]:
    folder = copy_of(klass, tmp_path_factory.mktemp("whole"))
    proc = grade(folder)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    return (folder / "grades.csv").read_text(), without_times((folder / "report.txt").read_text())


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL (as a reboot)"])
def test_an_interrupted_class_resumes_to_the_same_grades(klass, uninterrupted, tmp_path, how):
    folder = copy_of(klass, tmp_path)
    journal = folder / "autograder-journal.jsonl"
    proc = grade(folder)
    deadline = time.monotonic() + 300
    while not journal.exists() or len(journal.read_text().splitlines()) < 2:
        assert proc.poll() is None and time.monotonic() < deadline, "the class finished before it could be stopped"
        time.sleep(0.1)
    proc.send_signal(how)
    _, err = proc.communicate(timeout=60)
    kept = len(journal.read_text().splitlines())
    assert 2 <= kept < 6, "stopped mid-class"
    if how == signal.SIGTERM:
        assert proc.returncode == 130 and "--resume" in err
    assert not (folder / "grades.csv").exists()

    again = grade(folder, "--resume")
    _, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    assert f"resuming: {kept} notebook(s) already graded" in err
    assert len(journal.read_text().splitlines()) == 6  # the rest, each once
    assert (folder / "grades.csv").read_text() == uninterrupted[0]
    assert without_times((folder / "report.txt").read_text()) == uninterrupted[1]


def test_the_journal_keeps_complete_lines_of_unchanged_notebooks(tmp_path):
    nb = corpus.write_submission(tmp_path / "a" / "two_layer_net" / "two_layer_net.ipynb")
    options = Options(dataset="digits", seed=1)
    result = SubmissionResult(
        str(nb),
        "a",
        dataset="digits",
        seed=1,
        cells=[
            CellResult(
                "relu_forward_hidden",
                "relu_forward",
                Visibility.HIDDEN,
                3,
                0.0,
                False,
                [Finding(False, "out on random inputs", "out is wrong", "a hint")],
            )
        ],
    )
    journal = Journal(tmp_path / "j.jsonl")
    with journal.open(keep=False) as stream:
        Journal.record(stream, nb, digest(nb, options), result)
        stream.write('{"path": "cut short by a crash')
    assert journal.kept() == {(str(nb), digest(nb, options)): result}
    assert digest(nb, Options(dataset="digits", seed=2)) != digest(nb, options)  # other options: graded again
    nb.write_text(json.dumps(json.loads(nb.read_text())))  # a changed notebook too
    assert digest(nb, options) not in {d for _, d in journal.kept()}
