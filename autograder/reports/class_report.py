"""The class report (issue 22): how a whole class did, for the instructor.

    python -m autograder report RESULTS -o class.html [--csv checks.csv] [--anonymous] [--gradebook gradebook.db]

RESULTS is a grading run's JSON report (``grade --format json``) or its journal
(``autograder-journal.jsonl``); ``make autograde`` and ``make demo`` write the report beside
their grades CSV.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from .anonymity import Names
from .checks_csv import to_csv
from .class_html import to_html
from .handgraded import read_gradebook
from .load import load_results
from .statistics import ClassStatistics, class_statistics


@dataclass
class ClassReport:
    statistics: ClassStatistics
    html: Path
    csv: Path | None


def write_report(
    results: Path,
    html: Path,
    *,
    csv: Path | None = None,
    anonymous: bool = False,
    gradebook: Path | None = None,
    seed: int | None = None,
) -> ClassReport:
    """Read ``results``, write the page to ``html`` and (``csv``) the checks x students table.
    ``gradebook``: nbgrader's gradebook.db, for the hand-graded parts; ``seed``: the anonymous
    numbering's order (default: fresh)."""
    loaded = load_results(Path(results))
    hand = read_gradebook(Path(gradebook)) if gradebook else {}
    stats = class_statistics(loaded, hand)
    names = Names(stats.students, anonymous=anonymous, seed=seed, ids=[r.student for r in loaded])
    Path(html).write_text(to_html(stats, names, source=Path(results).name), encoding="utf-8")
    if csv:
        Path(csv).write_text(to_csv(stats, names), encoding="utf-8")
    return ClassReport(stats, Path(html), Path(csv) if csv else None)


def main(args: argparse.Namespace) -> int:
    """``python -m autograder report``: 0 once the report is written (whatever it says)."""
    report = write_report(
        Path(args.results),
        Path(args.output),
        csv=Path(args.csv) if args.csv else None,
        anonymous=args.anonymous,
        gradebook=Path(args.gradebook) if args.gradebook else None,
    )
    for problem in report.statistics.problems:
        print(problem, file=sys.stderr)
    written = [report.html, *([report.csv] if report.csv else [])]
    print(f"wrote {' and '.join(map(str, written))} ({len(report.statistics.students)} submissions)")
    return 0
