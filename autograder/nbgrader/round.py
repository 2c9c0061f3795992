"""`make autograde`: a TA's autograding round in a course folder (by default this repository).

1. Records the assignment in the gradebook when it is not there yet (`Course.register`: a fresh
   clone has ``release/`` but no ``gradebook.db``);
2. `nbgrader autograde`, one student at a time, with a progress bar;
3. the course grader (`python -m autograder grade submitted/ --jobs N`) into ``autograder-results/``,
   and the class report from its journal (``class.html``, ``checks.csv``: `autograder.reports`);
4. prints both graders' autograded points side by side and where every result is.

`make demo` runs steps 2 to 4 on its throwaway course through `grade_with_both` and `print_round`.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .course import ASSIGNMENT, Course, NbgraderResult

REPORT_DIR = "autograder-results"


@dataclass
class RoundResults:
    """What one round produced, and where."""

    nbgrader: dict[str, NbgraderResult]
    ours: dict[str, dict[str, str]]  # student -> row of the course grader's CSV
    report: Path
    csv: Path
    class_report: Path
    nbgrader_seconds: float
    ours_seconds: float


def grade_with_both(course: Course, jobs: int, cell_timeout: float | None) -> RoundResults:
    """`nbgrader autograde` and the course grader over the course's ``submitted/``."""
    from tqdm import tqdm

    students = course.students()
    started = time.monotonic()
    print(f"nbgrader autograde, one student at a time ({len(students)}) ...", flush=True)
    with tqdm(total=len(students), desc="nbgrader autograde", unit="student", file=sys.stderr) as bar:
        course.autograde(on_student=lambda _: bar.update())
    nbgrader_seconds = time.monotonic() - started
    nbgrader = course.results()

    out = course.root / REPORT_DIR
    out.mkdir(exist_ok=True)
    report, grades, journal = out / "report.txt", out / "grades.csv", out / "journal.jsonl"
    started = time.monotonic()
    print(f"python -m autograder grade submitted/ --jobs {jobs} ...", flush=True)
    command = [sys.executable, "-m", "autograder", "grade", str(course.root / "submitted"), "--jobs", str(jobs)]
    command += ["-o", str(report), "--csv", str(grades), "--journal", str(journal)]
    if cell_timeout is not None:
        command += ["--cell-timeout", str(cell_timeout)]
    subprocess.run(command, check=True)
    ours_seconds = time.monotonic() - started
    class_report = write_class_report(course, journal)
    return RoundResults(nbgrader, read_grades(grades), report, grades, class_report, nbgrader_seconds, ours_seconds)


def write_class_report(course: Course, journal: Path) -> Path:
    """The class report of the course grader's run, beside its CSV, with the hand grades given so far."""
    from autograder.reports.class_report import write_report

    out = journal.parent / "class.html"
    gradebook = course.root / "gradebook.db"
    write_report(journal, out, csv=out.with_name("checks.csv"), gradebook=gradebook if gradebook.is_file() else None)
    return out


def read_grades(path: Path) -> dict[str, dict[str, str]]:
    with open(path) as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def print_round(course: Course, results: RoundResults, about: dict[str, str] | None = None) -> None:
    """The two graders' autograded points per student (``about``: a note per student)."""
    print()
    print(f"{'student':<12} {'nbgrader autograde':>20} {'autograder':>12}   {'submission' if about else ''}")
    for student in course.students():
        n, a = results.nbgrader.get(student), results.ours.get(student, {})
        n_txt = f"{n.score:g} / {n.max_score:g}" if n and n.status == "graded" else "UNGRADED"
        a_txt = f"{a.get('score')} / {a.get('max_score')}" if a.get("status") == "graded" else "UNGRADED"
        print(f"{student:<12} {n_txt:>20} {a_txt:>12}   {(about or {}).get(student, '')}")
    print("(autograded points; the two inline questions, 8 points, are graded by hand in formgrader)")
    print(
        f"nbgrader autograde: {results.nbgrader_seconds:.0f} s; "
        f"python -m autograder grade: {results.ours_seconds:.0f} s"
    )


def where(course: Course, results: RoundResults) -> list[tuple[str, Path]]:
    """Where a round leaves its results, for the TA."""
    return [
        ("course folder", course.root),
        ("submissions", course.root / "submitted"),
        ("autograded notebooks (nbgrader)", course.root / "autograded"),
        ("gradebook (nbgrader)", course.root / "gradebook.db"),
        ("grades CSV (course grader)", results.csv),
        ("report with feedback (course grader)", results.report),
        ("class report (instructors only)", results.class_report),
        ("nbgrader log", course.log),
    ]


def main(args: argparse.Namespace) -> int:
    course = Course(Path(args.dir), cell_timeout=args.cell_timeout)
    if not course.students():
        print(
            f"No submissions in {course.root / 'submitted'}: run `nbgrader collect {ASSIGNMENT}`, or copy each "
            f"student's notebook to submitted/<student>/{ASSIGNMENT}/{ASSIGNMENT}.ipynb",
            file=sys.stderr,
        )
        return 1
    if not course.registered:
        print("Recording the assignment in the gradebook (nbgrader generate_assignment) ...", flush=True)
        warn_if_stale(course.register())
    results = grade_with_both(course, args.jobs, args.cell_timeout)
    print_round(course, results)
    print("Where the results are:")
    for label, path in where(course, results):
        print(f"  {label:<38} {path}")
    print(
        "Next: hand-grade the inline questions (jupyter lab, then Nbgrader > Formgrader > Manual Grading), "
        f"then `nbgrader generate_feedback {ASSIGNMENT}` and `nbgrader export --to grades.csv`. The class report "
        f"with the hand grades: python -m autograder report {results.class_report.parent / 'journal.jsonl'} "
        f"-o {results.class_report} --gradebook {course.root / 'gradebook.db'}"
    )
    return 0


def register(args: argparse.Namespace) -> int:
    course = Course(Path(args.dir), cell_timeout=None)
    print(f"Recording {ASSIGNMENT} in {course.root / 'gradebook.db'} (nbgrader generate_assignment) ...", flush=True)
    warn_if_stale(course.register())
    print(f"Done: nbgrader's commands (autograde, formgrader, generate_feedback, export) now know {ASSIGNMENT}.")
    return 0


def roster(args: argparse.Namespace) -> int:
    course = Course(Path(args.dir), cell_timeout=None)
    print(course.import_roster(Path(args.csv)).strip())
    return 0


def warn_if_stale(problems: list[str]) -> None:
    if problems:
        print(
            "WARNING: release/ is out of date with source/ (run `make release` and hand out the new version):",
            *problems,
            sep="\n  ",
            file=sys.stderr,
        )
