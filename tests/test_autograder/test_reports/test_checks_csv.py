"""The class report's CSV: checks x students, as a spreadsheet reads it."""

from __future__ import annotations

import csv
import io

from autograder.reports.anonymity import Names
from autograder.reports.checks_csv import HEADER, to_csv
from autograder.reports.statistics import class_statistics
from class_results import AROUND_1000, synthetic_class


def rows(anonymous: bool = False) -> list[list[str]]:
    stats = class_statistics(synthetic_class())
    names = Names(stats.students, anonymous=anonymous, seed=3)
    return list(csv.reader(io.StringIO(to_csv(stats, names))))


def test_a_row_per_check_and_a_points_row_per_cell():
    table = rows()
    assert table[0] == [*HEADER, "ann", "bob", "cat", "dan", "eve"]
    by_key = {(r[1], r[2]): r for r in table[1:]}
    # the points of each student on the cell, then 1 passed, 0 failed, empty where it did not run
    assert by_key[("softmax_loss_hidden", "points")][3:] == ["", "6", "0", "0", "0", ""]
    assert by_key[("softmax_loss_hidden", AROUND_1000)][3:] == ["0.500", "1", "0", "0", "1", ""]
    assert by_key[("affine_forward_check", "ok")][3:] == ["0.000", "1", "1", "1", "", ""]  # dan: not done
    assert by_key[("affine_forward_check", "points")][4:] == ["3", "3", "3", "0", ""]
    cells = [r[1] for r in table[1:] if r[2] == "points"]
    assert (
        cells[:2] == ["affine_forward_check", "affine_forward_hidden"]
        and cells[-1] == "inline_question_2_choices_hidden"
    )


def test_anonymised_columns():
    header = rows(anonymous=True)[0]
    assert sorted(header[len(HEADER) :]) == [f"student 0{i}" for i in range(1, 6)]
