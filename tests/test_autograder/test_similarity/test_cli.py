"""`python -m autograder similarity`: the demo class through the command, the reports written
only where asked, and bad arguments refused with exit status 2."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import corpus
from autograder.cli import SIMILARITY_THRESHOLD, build_parser
from autograder.cli import main as cli_main
from autograder.maintenance.demo import write_demo_class
from autograder.similarity import calibration

REPO = Path(__file__).resolve().parents[3]


def similarity(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "autograder", "similarity", *args], capture_output=True, text=True, cwd=REPO, timeout=300
    )


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def demo_class(tmp_path_factory) -> Path:
    """The demo class of `make demo` (autograder/maintenance/demo.py), in nbgrader's layout."""
    root = tmp_path_factory.mktemp("demo")
    submitted = root / "submitted"

    def submit(student, notebook, raw):
        dest = submitted / student / "two_layer_net" / "two_layer_net.ipynb"
        dest.parent.mkdir(parents=True, exist_ok=True)
        if raw is not None:
            dest.write_text(raw)
        else:
            shutil.copy(notebook, dest)

    write_demo_class(corpus.RELEASE, root / "drafts", submit)
    return submitted


def test_the_demo_class_runs_through_the_command(demo_class, tmp_path):
    before = files_of(demo_class)
    html, table = tmp_path / "similarity.html", tmp_path / "similarity.csv"
    done = similarity(str(demo_class), "-o", str(html), "--csv", str(table), "-q")
    assert done.returncode == 0, done.stderr
    assert files_of(demo_class) == before  # nothing written among the students' files
    assert "4 submission(s)" in done.stdout and "2 input(s) skipped" in done.stdout
    assert "fay" in done.stdout and "not a valid notebook" in done.stdout  # skipped, with the reason
    rows = list(csv.DictReader(table.open()))
    pairs = {frozenset((r["a"], r["b"])) for r in rows if r["pair_flagged"] == "1"}
    # ada, ben, dee and eve all hand in the solution with a change or two: copies of one another.
    assert frozenset(("ada", "dee")) in pairs and frozenset(("ada", "eve")) in pairs
    assert "cy" not in {r["a"] for r in rows} | {r["b"] for r in rows}
    assert "<title>Similarity report" in html.read_text()


def test_known_solutions_are_matched(demo_class, tmp_path):
    known = tmp_path / "known"
    known.mkdir()
    (known / "published.py").write_text(corpus.ANSWERS["svm_loss"] + "\n\n" + corpus.ANSWERS["softmax_loss"])
    table = tmp_path / "s.csv"
    done = similarity(
        str(demo_class), "--against", str(known), "-o", str(tmp_path / "s.html"), "--csv", str(table), "-q"
    )
    assert done.returncode == 0, done.stderr
    rows = [r for r in csv.DictReader(table.open()) if r["b"] == "known: published.py"]
    assert {r["item"] for r in rows} == {"svm_loss", "softmax_loss"} and rows[0]["against_known"] == "1"


@pytest.mark.parametrize(
    "args, message",
    [
        (["{missing}", "-o", "{tmp}/r.html"], "no such file or folder"),
        (["{demo}", "-o", "{tmp}/r.html", "--threshold", "1.5"], "not a score"),
        (["{demo}", "-o", "{tmp}/r.html", "--threshold", "0"], "not a score"),
        (["{demo}", "-o", "{demo}/ada/r.html"], "never written among students' files"),
        (["{demo}", "-o", "{tmp}/r.html", "--csv", "{demo}/r.csv"], "never written among students' files"),
        (["{demo}", "-o", "{tmp}/no/such/dir/r.html"], "is not a folder"),
        (["{empty}", "-o", "{tmp}/r.html"], "nothing to compare"),
        (["{demo}"], "required: -o"),
        (["{demo}", "--against", "{missing}", "-o", "{tmp}/r.html"], "no such file or folder"),
        (["{demo}", "-o", "{tmp}/r.html", "--jobs", "0"], "at least 1"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(demo_class, tmp_path, args, message):
    (tmp_path / "empty").mkdir()
    fill = {"missing": tmp_path / "missing", "tmp": tmp_path, "demo": demo_class, "empty": tmp_path / "empty"}
    done = similarity(*(a.format(**fill) for a in args))
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_the_help_reads_like_a_man_page(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli_main(["similarity", "--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    for part in ("usage:", "How it compares", "How to read it", "Exit status", "Examples:", "--against", "--csv"):
        assert part in text
    assert "similarity" in build_parser().format_help()


def test_the_commands_default_threshold_is_the_calibrated_one():
    assert SIMILARITY_THRESHOLD == calibration.THRESHOLD
