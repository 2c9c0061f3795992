"""`python -m autograder report`: from a run's JSON or journal to the page and the CSV."""

from __future__ import annotations

import subprocess
import sys

from autograder.reports import json_report as report
from class_results import SYNTHETIC_HAND, synthetic_class
from gradebooks import write_gradebook


def run(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "autograder", "report", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_the_report_of_a_run_with_the_hand_grades_of_its_gradebook(tmp_path):
    (tmp_path / "results.json").write_text(report.json_report(synthetic_class()))
    write_gradebook(tmp_path / "gradebook.db", SYNTHETIC_HAND)
    done = run("results.json", "-o", "class.html", "--csv", "checks.csv", "--gradebook", "gradebook.db", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "wrote class.html and checks.csv (5 submissions)" in done.stdout
    page = (tmp_path / "class.html").read_text()
    assert "Say why ann&#x27;s answer is wrong" in page and "bob" in page
    assert (tmp_path / "checks.csv").read_text().startswith("item,grade_id,check,failure_rate,ann,bob,cat,dan,eve")


def test_anonymous_and_bad_input(tmp_path):
    (tmp_path / "empty.jsonl").write_text("")
    done = run("empty.jsonl", "-o", "class.html", "--anonymous", cwd=tmp_path)
    assert done.returncode == 0 and "The results hold no submission" in done.stderr
    assert "nothing to report yet" in (tmp_path / "class.html").read_text()
    done = run("missing.json", "-o", "class.html", cwd=tmp_path)
    assert done.returncode == 2 and "missing.json" in done.stderr
    (tmp_path / "notes.txt").write_text("not results\n")
    done = run("notes.txt", "-o", "class.html", cwd=tmp_path)
    assert done.returncode == 2 and "neither the JSON report" in done.stderr
