"""Similarity across a class (issue 15): which submissions share code, cell by cell.

    python -m autograder similarity SUBMITTED [--against KNOWN] -o similarity.html [--csv FILE]

The pipeline, one module per step: ``sources`` (answer cells and written answers of notebooks
and ``.py`` files; what is skipped and why), ``tokens`` (normalised token streams),
``fingerprints`` (k-grams and winnowing), ``written`` (the written answers as words and
shingles), ``boilerplate`` (the release notebook's starter code and text; the reference
solution), ``background`` (how common each fingerprint is among public solutions: the corpus that
ships with the course), ``calibration`` (what a fingerprint weighs, when a pair is flagged),
``engine`` (the inverted index and the scores), ``results`` (typed results), ``report_html`` and
``report_csv`` (the reports), ``pipeline`` (all of it, with progress bars). docs/similarity.md
says how to read it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .pipeline import run
from .report_csv import to_csv
from .report_html import to_html


def _inside(path: Path, folder: Path) -> bool:
    path, folder = path.resolve(), folder.resolve()
    return folder.is_dir() and (path == folder or folder in path.parents)


def main(args: argparse.Namespace) -> int:
    """``python -m autograder similarity``: exit 0 once the reports are written, 2 on bad arguments."""
    submitted = Path(args.submitted)
    known = Path(args.against) if args.against else None
    outputs = [Path(args.output)] + ([Path(args.csv)] if args.csv else [])
    for out in outputs:
        for folder in filter(None, (submitted, known)):
            if _inside(out, folder):
                print(
                    f"error: {out} is inside {folder}: the report is for instructors only and is never "
                    "written among students' files; write it elsewhere (-o /path/outside/similarity.html)",
                    file=sys.stderr,
                )
                return 2
        if not out.parent.resolve().is_dir():
            print(
                f"error: {out.parent} is not a folder: create it first, or write the report elsewhere", file=sys.stderr
            )
            return 2
    if not 0 < args.threshold <= 1:
        print(f"error: --threshold {args.threshold} is not a score: give a number in (0, 1], e.g. 0.5", file=sys.stderr)
        return 2
    if args.jobs < 1 or args.max_pairs < 1:
        print("error: --jobs and --max-pairs must be at least 1", file=sys.stderr)
        return 2
    report = run(
        submitted, known, threshold=args.threshold, jobs=args.jobs, max_pairs=args.max_pairs, progress=not args.quiet
    )
    Path(args.output).write_text(to_html(report), encoding="utf-8")
    if args.csv:
        Path(args.csv).write_text(to_csv(report), encoding="utf-8")
    submissions = sum(not e.known for e in report.entries.values())
    print(
        f"{submissions} submission(s), {len(report.entries) - submissions} known solution(s), "
        f"{report.compared_pairs:,} pairs compared in {report.seconds:.1f} s "
        f"({', '.join(f'{k} {v:.1f}' for k, v in report.phases.items())}): {len(report.flagged)} flagged "
        f"(threshold {report.settings.threshold:g}), {len(report.skipped)} input(s) skipped"
    )
    for pair in report.flagged[:10]:
        cells = ", ".join(pair.flagged_items) or "evidence across cells"
        print(f"  {pair.score:.2f}  {pair.a}  <->  {pair.b}  ({cells})")
    if len(report.flagged) > 10:
        print(f"  ... and {len(report.flagged) - 10} more in the report")
    for skipped in report.skipped:
        print(f"  skipped {skipped.path}: {skipped.reason}")
    print(f"wrote {args.output}" + (f" and {args.csv}" if args.csv else ""))
    return 0
