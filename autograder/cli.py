"""python -m autograder: grade two_layer_net notebooks.

Subcommands:
  grade PATH...   grade submitted notebooks (files, or folders searched for two_layer_net.ipynb)
  check NOTEBOOK --item ITEM [--item ITEM ...] [--json]
                  grade items of one notebook and exit 1 if one fails; with --json print
                  each item's output and verdicts instead (exit 0 once the process ran)
                  (what the hidden test cells of the nbgrader notebook run)
  visible         rewrite the expected values of the visible checks from the reference
  solutions       execute the solution notebook into solutions/ (for after the deadline)
  demo            build a throwaway course and grade a small demo class (make demo)
  autograde       a TA's round in the course folder: register the assignment in the gradebook if
                  needed, nbgrader autograde and this grader over submitted/ (make autograde)
  register        record the assignment in the gradebook, leaving release/ as it is (make register)
  similarity SUBMITTED [--against KNOWN] -o REPORT.html [--csv FILE]
                  which submissions share code, answer cell by answer cell (for instructors only;
                  docs/similarity.md)
  report RESULTS -o CLASS.html [--csv FILE] [--anonymous] [--gradebook gradebook.db]
                  the class report: scores, items, checks, known mistakes, training, inline
                  questions, ungraded submissions (from a grading run's JSON or journal)
  roster CSV      import students into the gradebook (nbgrader's columns: id, first_name,
                  last_name, email; make roster ROSTER=CSV)
  sandbox [--record]
                  what contains student code on this host, tried; --record establishes it afresh
                  as this environment's (make setup does). Without one, nothing is graded: set
                  AUTOGRADER_SANDBOX=none to run student code unconfined on purpose

Exit status of `grade`: 0 whenever grading completed, whatever the scores; 2 when the
grader itself could not run (bad arguments, missing dataset, no sandbox, ...).
"""

from __future__ import annotations

import argparse
import signal
import sys
import traceback

from autograder.batch.jobs import one_blas_thread
from autograder.batch.journal import DEFAULT as DEFAULT_JOURNAL
from autograder.course.items import ITEMS
from autograder.course.reference import REPO, course_problem
from autograder.nbgrader.course import NbgraderError
from autograder.sandbox import SandboxUnavailable
from twolayer.config import DATASETS
from twolayer.data import DatasetNotInstalled


def cmd_grade(args: argparse.Namespace) -> int:
    from autograder.batch.command import main as grade_main

    return grade_main(args)


def cmd_check(args: argparse.Namespace) -> int:
    from autograder.nbgrader.check import main as check_main
    from autograder.nbgrader.kernel.hidden_checks import GRADER_FAILED

    try:
        return check_main(
            args.notebook,
            args.item,
            part=args.part,
            params=args.params,
            dataset=args.dataset,
            seed=args.seed,
            as_json=args.json,
        )
    except Exception:  # noqa: BLE001 - a bug of the grader: never a failed check of the student's
        traceback.print_exc()
        return GRADER_FAILED


def cmd_visible(args: argparse.Namespace) -> int:
    from autograder.maintenance.visible import write

    print(f"wrote {write()}")
    return 0


def cmd_solutions(args: argparse.Namespace) -> int:
    from autograder.maintenance.solutions import build

    notebook, page = build()
    print(f"wrote {notebook} and {page}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from autograder.maintenance.demo import main as demo_main

    return demo_main(args)


def cmd_autograde(args: argparse.Namespace) -> int:
    from autograder.nbgrader.round import main as autograde_main

    return autograde_main(args)


def cmd_register(args: argparse.Namespace) -> int:
    from autograder.nbgrader.round import register

    return register(args)


def cmd_similarity(args: argparse.Namespace) -> int:
    from autograder.similarity import main as similarity_main

    return similarity_main(args)


def cmd_sandbox(args: argparse.Namespace) -> int:
    from autograder.maintenance.doctor import main as doctor

    return doctor(record=args.record)


def cmd_report(args: argparse.Namespace) -> int:
    from autograder.reports.class_report import main as report_main

    return report_main(args)


def cmd_roster(args: argparse.Namespace) -> int:
    from autograder.nbgrader.round import roster

    return roster(args)


SIMILARITY_THRESHOLD = 0.5  # autograder/similarity/calibration.py THRESHOLD (a test keeps them equal)
SIMILARITY_HELP = """\
Compare every pair of submissions under SUBMITTED, answer cell by answer cell and over the whole
notebook, and every submission with every known solution under KNOWN (--against). Write a
self-contained HTML report (-o) that ranks the pairs and shows each pair side by side with the
shared code highlighted, and, with --csv, one row per pair and answer cell.

How it compares: each answer cell becomes a stream of normalised tokens (every name and every
literal made equal; comments, docstrings, blank lines and layout dropped), whose winnowed
k-gram fingerprints are compared as sets, so renamed variables, rewritten comments, reordered
functions, extra blank lines and dead statements do not hide a copy. The release notebook's
starter code never counts; code that n public solutions also have counts 1/(1 + n) (a corpus of
public solutions ships with the course; KNOWN adds to it); what the reference solution also has
counts half of that; what at least 40% of a class (of 10 or more) shares does not count: that is
the shape of the exercise. The inline questions' written answers are compared as text, the
questions' own words left out.

How to read it: a cell's score is the share of the smaller cell's distinctive code found in the
other (0 to 1). A pair is flagged on evidence across cells (two or more reaching --threshold), a
long run of rare code in one cell, or copied written answers: a short canonical cell never flags
a pair on its own. A flag is a reason to look, not a verdict. docs/similarity.md gives the
precision and recall on real students' code and on the labelled set, and the time for a class
of 600.

Nothing is written into students' folders: the reports go only where -o and --csv say (never
inside SUBMITTED or KNOWN). Unreadable notebooks, binary files, missing cells and empty answers
are listed in the report with the reason; they never stop the run.

Exit status: 0 once the reports are written (whatever the scores); 2 on bad arguments or when
there is nothing to compare.

Examples:
  python -m autograder similarity submitted/ -o ~/private/similarity.html --csv ~/private/similarity.csv
  python -m autograder similarity submitted/ --against solutions-2025/ -o similarity.html --threshold 0.7
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m autograder", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grade", help="grade submitted notebooks")
    g.add_argument("paths", nargs="+", help="notebooks, or folders to search for two_layer_net.ipynb")
    g.add_argument("--format", choices=("text", "json", "gradescope"), default="text")
    g.add_argument("--output", "-o", help="write the report to this file instead of standard output")
    g.add_argument("--csv", help="also write the grades as CSV to this file")
    g.add_argument(
        "--canvas", metavar="ROSTER", help="write --csv as a Canvas gradebook matched to ROSTER (Canvas's export)"
    )
    g.add_argument(
        "--canvas-column",
        metavar="NAME",
        help="the roster's column to fill: its full name, Canvas id or title (default: the column titled like "
        "two_layer_net, e.g. 'Two Layer Net (4471)'); its Points Possible is kept",
    )
    g.add_argument(
        "--gradebook",
        metavar="DB",
        help="with --canvas: add the points graded by hand in nbgrader's gradebook.db (default: autograded only)",
    )
    g.add_argument("--dataset", choices=DATASETS, help="default: the course setting (twolayer/assignment.toml)")
    g.add_argument("--jobs", "-j", type=int, default=1, help="notebooks graded at once (default 1)")
    g.add_argument(
        "--blas-threads",
        type=int,
        metavar="N",
        help="BLAS threads of each notebook's training (default: chosen as each notebook's grading starts, from "
        "the CPUs its job may use: affinity, cgroup quota, --jobs, and the other processes running then)",
    )
    g.add_argument(
        "--item", action="append", default=[], choices=[i.name for i in ITEMS], help="grade only this item (repeatable)"
    )
    g.add_argument(
        "--seed",
        type=int,
        help="seed of the hidden random inputs (default: drawn from the answers, recorded in the report)",
    )
    g.add_argument("--timeout", type=float, default=60.0, help="seconds for one item's checks (default 60)")
    g.add_argument(
        "--cell-timeout",
        type=float,
        help="seconds for each training cell (default: the course's time budgets, twolayer/assignment.toml)",
    )
    g.add_argument(
        "--journal",
        default=str(DEFAULT_JOURNAL),
        help=f"where each result is written as it arrives (default: {DEFAULT_JOURNAL} in the current folder)",
    )
    g.add_argument(
        "--resume",
        action="store_true",
        help="keep the results the journal already holds (an interrupted run) and grade only the rest",
    )
    cluster = g.add_argument_group("grading on a Dask cluster (pip install -e '.[cluster]'; docs/cluster.md)")
    where = cluster.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS", help="the Dask scheduler, e.g. tcp://HOST:8786")
    where.add_argument("--scheduler-file", metavar="JSON", help="the scheduler file `dask scheduler` wrote")
    cluster.add_argument(
        "--scheduler-timeout",
        type=float,
        default=20.0,
        metavar="SECONDS",
        help="how long to wait for the scheduler, and for a worker that may grade (default 20)",
    )
    cluster.add_argument(
        "--tries",
        type=int,
        default=3,
        help="a notebook whose worker dies while grading it is graded again elsewhere, this many times "
        "in all; then it is ungraded, with the reason (default 3)",
    )
    cluster.add_argument(
        "--shared-files",
        action="store_true",
        help="the workers read the notebooks at the same paths (a shared file system) instead of "
        "receiving them with each task; checked by hash either way",
    )
    g.add_argument("--summary", action="store_true", help="scores only, no feedback messages")
    g.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    g.set_defaults(func=cmd_grade)
    c = sub.add_parser("check", help="grade items of one notebook (used by the hidden test cells)")
    c.add_argument("notebook")
    c.add_argument(
        "--item",
        required=True,
        action="append",
        choices=[i.name for i in ITEMS],
        help="the item to check (repeatable: one process grades them all)",
    )
    c.add_argument(
        "--json",
        action="store_true",
        help='print {"items": {item: {"stdout", "returncode", "visible", "points", "visible_points"}}} '
        '("visible": the item\'s visible checks passed, or null; "points": its hidden cell\'s, '
        '"visible_points": its visible cell\'s) and exit 0; an ungradable notebook shows as failed items',
    )
    c.add_argument("--part", choices=("visible", "hidden"), default="hidden")
    c.add_argument("--params", help="trained parameters (.npz) to evaluate instead of training")
    c.add_argument("--dataset", choices=DATASETS)
    c.add_argument("--seed", type=int)
    c.set_defaults(func=cmd_check)
    v = sub.add_parser(
        "visible", help="rewrite twolayer/checks/visible.npz, the visible checks, from the suite and the reference"
    )
    v.set_defaults(func=cmd_visible)
    so = sub.add_parser("solutions", help="execute the solution notebook into solutions/ (notebook and HTML)")
    so.set_defaults(func=cmd_solutions)
    d = sub.add_parser("demo", help="build a throwaway course, grade a demo class with nbgrader and this grader")
    d.add_argument("--dir", default="demo-course", help="where to build the demo course (default: demo-course)")
    d.add_argument("--jobs", "-j", type=int, default=2)
    d.add_argument(
        "--cell-timeout",
        type=int,
        default=60,
        help="seconds a notebook cell may run (stops the looping demo student; default 60)",
    )
    d.set_defaults(func=cmd_demo)
    course_dir = {"default": str(REPO), "help": "the course folder (default: this repository)"}
    a = sub.add_parser("autograde", help="register if needed, then grade submitted/ with nbgrader and this grader")
    a.add_argument("--dir", **course_dir)
    a.add_argument("--jobs", "-j", type=int, default=2)
    a.add_argument(
        "--cell-timeout", type=int, help="seconds a notebook cell may run (default: nbgrader_config.py's, 600)"
    )
    a.set_defaults(func=cmd_autograde)
    r = sub.add_parser("register", help="record the assignment in the gradebook (release/ is left as it is)")
    r.add_argument("--dir", **course_dir)
    r.set_defaults(func=cmd_register)
    si = sub.add_parser(
        "similarity",
        help="a similarity (copy-detection) report across a class, for instructors only",
        description=SIMILARITY_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    si.add_argument("submitted", metavar="SUBMITTED", help="folder of submitted notebooks (searched for *.ipynb)")
    si.add_argument(
        "--against",
        metavar="KNOWN",
        help="folder of known solutions (earlier years, public repositories): notebooks or .py files",
    )
    si.add_argument("-o", "--output", required=True, metavar="REPORT.html", help="where to write the HTML report")
    si.add_argument("--csv", metavar="FILE", help="also write one row per pair and answer cell as CSV")
    si.add_argument(
        "--threshold",
        type=float,
        default=SIMILARITY_THRESHOLD,
        metavar="X",
        help=f"score (0 to 1) from which a pair with enough shared code is flagged (default {SIMILARITY_THRESHOLD})",
    )
    si.add_argument("--jobs", "-j", type=int, default=2, help="processes reading the notebooks (default 2)")
    si.add_argument(
        "--max-pairs", type=int, default=1000, help="pairs listed in the reports, most similar first (default 1000)"
    )
    si.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    si.set_defaults(func=cmd_similarity)
    sb = sub.add_parser("sandbox", help="what contains student code here, tried (make setup runs it with --record)")
    sb.add_argument(
        "--record", action="store_true", help="establish it afresh and record it as this environment's containment"
    )
    sb.set_defaults(func=cmd_sandbox)
    rp = sub.add_parser("report", help="the class report of a grading run (HTML, and checks x students as CSV)")
    rp.add_argument("results", metavar="RESULTS", help="the JSON report (grade --format json) or the journal of a run")
    rp.add_argument("-o", "--output", required=True, metavar="CLASS.html", help="where to write the HTML report")
    rp.add_argument("--csv", metavar="FILE", help="also write checks x students (1 passed, 0 failed) as CSV")
    rp.add_argument(
        "--anonymous", action="store_true", help="students numbered in a random order, not named (for the course staff)"
    )
    rp.add_argument("--gradebook", metavar="DB", help="nbgrader's gradebook.db: the points and comments given by hand")
    rp.set_defaults(func=cmd_report)
    ro = sub.add_parser("roster", help="import students (CSV: id, first_name, last_name, email) into the gradebook")
    ro.add_argument("csv")
    ro.add_argument("--dir", **course_dir)
    ro.set_defaults(func=cmd_roster)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Set here, not at import: a library user (the benchmarks' training runs) keeps its own BLAS threads.
    one_blas_thread()
    args = build_parser().parse_args(argv)
    problem = course_problem(args.command, getattr(args, "dir", None))
    if problem:  # a plain install, or a folder that is not the course: say so before anything runs
        print(f"error: {problem}", file=sys.stderr)
        return 2
    # SIGTERM (a scheduler, `kill`, a shutdown) stops grading as Ctrl-C does: the jobs are stopped
    # and what was graded stays in the journal.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return args.func(args)
    except DatasetNotInstalled as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except NbgraderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SandboxUnavailable as exc:  # nothing was run: the host cannot contain student code
        print(f"error: student code cannot be contained here, so nothing was graded: {exc.reason}", file=sys.stderr)
        print(f"fix: {exc.fix}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
