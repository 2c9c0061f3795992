"""A failing item's feedback: each way a check failed once, with the number of inputs, each hint once."""

from __future__ import annotations

import corpus
from autograder.grading.options import Options
from autograder.grading.results import CellResult, Visibility
from autograder.grading.run import grade_submission
from autograder.reports.feedback import grouped
from autograder.reports.text import text
from twolayer.checks.findings import Finding

HINT = "ReLU is max(0, x): negative inputs give exactly 0, not a small slope."


def cell(grade_id: str, visibility: Visibility, findings: list[Finding]) -> CellResult:
    return CellResult(grade_id, "relu_forward", visibility, 3, 0, False, findings)


def test_one_line_per_kind_of_failure_and_each_hint_once():
    hidden = [
        Finding(False, f"out on random inputs of shape {shape}", f"out is wrong: relative error {err}", HINT)
        for shape, err in (((7, 5), "4.1e-01"), ((10,), "3.9e-01"), ((2, 3, 4), "4.4e-01"))
    ]
    hidden.append(Finding(False, "x left unmodified on random inputs of shape (7, 5)", "your function changed x"))
    hidden.append(Finding(True, "out on random inputs of shape (3, 1, 2, 5)"))
    visible = [Finding(False, "out on the fixed inputs of the exercise", "out is wrong: relative error 5.0e-01", HINT)]
    failures = grouped(
        [
            cell("relu_forward_check", Visibility.VISIBLE, visible),
            cell("relu_forward_hidden", Visibility.HIDDEN, hidden),
        ]
    )
    lines = "\n".join(line for f in failures for line in f.lines())
    assert [f.more for f in failures] == [0, 2, 0]
    assert lines.count(HINT) == 1  # given with the visible failure, not again
    assert "(and 2 more inputs)" in lines and "your function changed x" in lines
    assert "(3, 1, 2, 5)" not in lines  # what passed is not listed


def test_a_graded_mistake_reads_once(tmp_path):
    mistake = next(m for m in corpus.MISTAKES if m.name == "leaky ReLU")
    path = corpus.write_submission(tmp_path / "eve" / "two_layer_net" / "two_layer_net.ipynb", mistake.answers)
    report = text([grade_submission(path, Options(seed=3, items=("relu_forward",)))])
    assert report.count(mistake.message) == 1, report
    assert "more input" in report
