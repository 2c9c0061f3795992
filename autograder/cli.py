"""python -m autograder: grade two_layer_net notebooks.

Subcommands:
  grade PATH...   grade submitted notebooks (files, or folders searched for two_layer_net.ipynb)
  check NOTEBOOK --item ITEM [--item ITEM ...] [--json]
                  grade items of one notebook and exit 1 if one fails; with --json print
                  each item's output and verdicts instead (exit 0 once the process ran)
                  (what the hidden test cells of the nbgrader notebook run)
  visible         rewrite the expected values of the visible checks from the reference
  solutions       execute the solution notebook into solutions/ (for after the deadline)
  demo            build a throwaway course and grade a small demo class (see README)

Exit status of `grade`: 0 whenever grading completed, whatever the scores; 2 when the
grader itself could not run (bad arguments, missing dataset, ...).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import numpy as np
from twolayer.config import DATASETS, ITEMS, dataset_name
from twolayer.data import DatasetNotInstalled

from . import report
from .grading import Options, SubmissionResult, grade_submission

NOTEBOOK = "two_layer_net.ipynb"


def find_notebooks(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(q for q in p.rglob(NOTEBOOK) if ".ipynb_checkpoints" not in q.parts)
        elif p.exists():
            found.append(p)
        else:
            raise FileNotFoundError(f"{p}: no such file or folder")
    return found


def grade_many(paths: list[Path], options: Options, jobs: int, progress: bool = True) -> list[SubmissionResult]:
    results: dict[Path, SubmissionResult] = {}
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(paths), desc="grading", unit="notebook", file=sys.stderr)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(_grade_safely, p, options): p for p in paths}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            if bar:
                bar.update()
    if bar:
        bar.close()
    return [results[p] for p in paths]


def _grade_safely(path: Path, options: Options) -> SubmissionResult:
    try:
        return grade_submission(path, options)
    except DatasetNotInstalled:
        raise
    except Exception as exc:  # a bug of the grader must not stop the class: report it as ungraded
        from .grading import student_name

        return SubmissionResult(str(path), student_name(path), status="ungraded",
                                reason=f"the grader failed on this notebook: {type(exc).__name__}: {exc}",
                                dataset=options.dataset or "")


def cmd_grade(args: argparse.Namespace) -> int:
    paths = find_notebooks(args.paths)
    if not paths:
        print(f"no {NOTEBOOK} found in {' '.join(args.paths)}", file=sys.stderr)
        return 2
    options = Options(dataset=dataset_name(args.dataset), seed=args.seed, items=tuple(args.item) or None,
                      item_timeout=args.timeout, cell_timeout=args.cell_timeout,
                      threads=max(1, (os.cpu_count() or 1) // max(1, args.jobs)))
    start = time.monotonic()
    results = grade_many(paths, options, args.jobs, progress=not args.quiet)
    elapsed = time.monotonic() - start
    if args.format == "text":
        out = report.text(results, details=not args.summary)
        out += f"{len(results)} notebook(s) in {elapsed:.1f} s on {options.dataset}\n"
    elif args.format == "json":
        out = report.json_report(results)
    else:
        if len(results) != 1:
            print("--format gradescope grades exactly one notebook", file=sys.stderr)
            return 2
        out = report.gradescope(results[0])
    if args.output:
        Path(args.output).write_text(out)
    else:
        sys.stdout.write(out)
    if args.csv:
        Path(args.csv).write_text(report.grades_csv(results))
    return 0


def _cells(result: SubmissionResult, item: str, part: str) -> list:
    return [c for c in result.cells if c.item == item and c.visibility == part]


def _check_lines(item: str, result: SubmissionResult, part: str) -> tuple[list[str], bool]:
    """What ``check`` prints for one item, and whether it passed."""
    if result.status != "graded":
        return [f"{item}: could not be graded: {result.reason}"], False
    cells = _cells(result, item, part)
    ok = all(c.passed for c in cells)
    lines = []
    for c in cells:
        for f in c.findings:
            if not f["passed"]:
                lines.append(f"FAIL {f['check']}: {f['message']}" + (f"\n     Hint: {f['hint']}" if f["hint"] else ""))
    if item in result.accuracies:
        acc = result.accuracies[item]
        lines.append(f"{item}: validation accuracy {acc['val_acc']:.3f}, test accuracy {acc['test_acc']:.3f}")
    lines.append(f"{item}: {'all hidden checks passed' if ok else 'hidden checks failed'}")
    return lines, ok


def _part_passed(item: str, result: SubmissionResult, part: str) -> bool | None:
    """Whether the grader passed ``item``'s cells of that part (None: the item has none)."""
    if result.status != "graded":
        return False
    cells = _cells(result, item, part)
    return all(bool(c.passed) for c in cells) if cells else None


def cmd_check(args: argparse.Namespace) -> int:
    items = list(dict.fromkeys(args.item))
    params = None
    if args.params:
        if len(items) != 1:
            print("error: --params goes with exactly one --item", file=sys.stderr)
            return 2
        with np.load(args.params, allow_pickle=False) as z:
            params = {items[0]: {k: z[k] for k in z.files}}
    options = Options(dataset=dataset_name(args.dataset), items=tuple(items), params=params, seed=args.seed)
    # One process grades all the items asked for: the nbgrader notebook's nine hidden cells that
    # need no trained model cost one start-up (about 1 s) instead of nine.
    result = grade_submission(Path(args.notebook), options)
    verdicts = {item: _check_lines(item, result, args.part) for item in items}
    if args.json:
        json.dump({"items": {item: {"stdout": "\n".join(lines) + "\n", "returncode": 0 if ok else 1,
                                    "visible": _part_passed(item, result, "visible")}
                             for item, (lines, ok) in verdicts.items()}}, sys.stdout)
        return 0
    for lines, _ok in verdicts.values():
        print("\n".join(lines))
    return 0 if all(ok for _lines, ok in verdicts.values()) else 1


def cmd_visible(args: argparse.Namespace) -> int:
    from .visible import write

    print(f"wrote {write()}")
    return 0


def cmd_solutions(args: argparse.Namespace) -> int:
    from .solutions import build

    notebook, page = build()
    print(f"wrote {notebook} and {page}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import main as demo_main

    return demo_main(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grade", help="grade submitted notebooks")
    g.add_argument("paths", nargs="+", help="notebooks, or folders to search for two_layer_net.ipynb")
    g.add_argument("--format", choices=("text", "json", "gradescope"), default="text")
    g.add_argument("--output", "-o", help="write the report to this file instead of standard output")
    g.add_argument("--csv", help="also write the grades as CSV to this file")
    g.add_argument("--dataset", choices=DATASETS, help="default: the course setting (twolayer/assignment.toml)")
    g.add_argument("--jobs", "-j", type=int, default=1, help="notebooks graded at once (default 1)")
    g.add_argument("--item", action="append", default=[], choices=[i.name for i in ITEMS],
                   help="grade only this item (repeatable)")
    g.add_argument("--seed", type=int, help="seed of the hidden random inputs (default: fresh, recorded in the report)")
    g.add_argument("--timeout", type=float, default=60.0, help="seconds for one item's checks (default 60)")
    g.add_argument("--cell-timeout", type=float, default=900.0, help="seconds for one training cell (default 900)")
    g.add_argument("--summary", action="store_true", help="scores only, no feedback messages")
    g.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    g.set_defaults(func=cmd_grade)
    c = sub.add_parser("check", help="grade items of one notebook (used by the hidden test cells)")
    c.add_argument("notebook")
    c.add_argument("--item", required=True, action="append", choices=[i.name for i in ITEMS],
                   help="the item to check (repeatable: one process grades them all)")
    c.add_argument("--json", action="store_true",
                   help='print {"items": {item: {"stdout", "returncode", "visible"}}} ("visible": the '
                        "item's visible checks passed, or null) and exit 0; an ungradable notebook "
                        'shows as failed items')
    c.add_argument("--part", choices=("visible", "hidden"), default="hidden")
    c.add_argument("--params", help="trained parameters (.npz) to evaluate instead of training")
    c.add_argument("--dataset", choices=DATASETS)
    c.add_argument("--seed", type=int)
    c.set_defaults(func=cmd_check)
    v = sub.add_parser("visible", help="rewrite twolayer/visible_expected.npz from the reference solution")
    v.set_defaults(func=cmd_visible)
    so = sub.add_parser("solutions", help="execute the solution notebook into solutions/ (notebook and HTML)")
    so.set_defaults(func=cmd_solutions)
    d = sub.add_parser("demo", help="build a throwaway course, grade a demo class with nbgrader and this grader")
    d.add_argument("--dir", default="demo-course", help="where to build the demo course (default: demo-course)")
    d.add_argument("--jobs", "-j", type=int, default=2)
    d.add_argument("--cell-timeout", type=int, default=60,
                   help="seconds a notebook cell may run (stops the looping demo student; default 60)")
    d.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    from threadpoolctl import threadpool_limits

    # The grader's own arithmetic is small, and several graders and sandboxed workers share the
    # cores: one BLAS thread each. (OpenBLAS threads spin while they wait; oversubscribed, two
    # graders' matrix products slowed each other down by orders of magnitude.) Set here, not at
    # import: a library user (the benchmarks' training runs) keeps its own BLAS threads.
    threadpool_limits(1)
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except DatasetNotInstalled as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
