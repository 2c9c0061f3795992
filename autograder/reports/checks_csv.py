"""The class report's CSV: checks x students. For each grade cell, in the notebook's order, a row
with the points each student got on it (check ``points``), then one row per check of that cell:
1 passed, 0 failed, empty where the check did not run for the student (the item could not be
checked, or the submission was not graded). The first columns say which item, cell and check,
and the check's failure rate among the students it ran for."""

from __future__ import annotations

import csv
import io

from .anonymity import Names
from .statistics import CheckStats, ClassStatistics

HEADER = ("item", "grade_id", "check", "failure_rate")


def to_csv(stats: ClassStatistics, names: Names) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*HEADER, *(names(s) for s in stats.students)])
    by_cell: dict[str, list[CheckStats]] = {}
    for check in stats.checks:
        by_cell.setdefault(check.grade_id, []).append(check)
    for grade_id, checks in by_cell.items():
        got = stats.cell_points.get(grade_id, {})
        writer.writerow([checks[0].item, grade_id, "points", "", *(_num(got.get(s)) for s in stats.students)])
        for check in checks:
            outcomes = (check.outcomes.get(s) for s in stats.students)
            writer.writerow(
                [
                    check.item,
                    grade_id,
                    check.check,
                    f"{check.failure_rate:.3f}",
                    *("" if o is None else int(o) for o in outcomes),
                ]
            )
    return out.getvalue()


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
