"""Reading a grading run's results back: its JSON report or its journal, typed."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.batch.journal import Journal
from autograder.reports import json_report as report
from autograder.reports.load import NotResults, load_results
from class_results import graded, synthetic_class


def test_the_json_report_reads_back_as_the_results(tmp_path):
    results = synthetic_class()
    path = tmp_path / "results.json"
    path.write_text(report.json_report(results))
    assert load_results(path) == results


def test_the_journal_reads_back_with_the_last_grading_of_each_notebook(tmp_path):
    path = tmp_path / "autograder-journal.jsonl"
    first, again, other = graded("ann", seconds=1), graded("ann", seconds=2), graded("bob")
    with Journal(path).open(keep=False) as stream:
        Journal.record(stream, Path(first.path), "digest-1", first)
        Journal.record(stream, Path(other.path), "digest-2", other)
        Journal.record(stream, Path(again.path), "digest-3", again)  # the notebook changed, graded again
        stream.write('{"path": "cut short by a cra')
    assert load_results(path) == [again, other]  # by path, as the JSON report has them


def test_an_empty_journal_is_an_empty_class_and_anything_else_is_refused(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert load_results(empty) == []
    other = tmp_path / "results.json"
    other.write_text('{"score": 92, "tests": []}')  # Gradescope's results.json
    with pytest.raises(NotResults, match="neither the JSON report"):
        load_results(other)
    with pytest.raises(FileNotFoundError):
        load_results(tmp_path / "missing.json")
