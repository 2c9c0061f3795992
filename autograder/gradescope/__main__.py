"""python -m autograder.gradescope: Gradescope's side of the course grader.

build [--out DIR]   write DIR/autograder.zip (default dist/gradescope), what `make gradescope` runs
run [--root DIR]    grade the submission in DIR (default /autograder), what run_autograder runs
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.gradescope",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the autograder zip to upload to Gradescope")
    b.add_argument("--out", type=Path, default=Path("dist/gradescope"))
    r = sub.add_parser("run", help="grade /autograder/submission into /autograder/results/results.json")
    r.add_argument("--root", type=Path, default=Path("/autograder"))
    args = parser.parse_args(argv)
    if args.command == "build":
        from autograder.course.reference import course_problem

        from .bundle import build

        problem = course_problem("autograder.gradescope build")
        if problem:
            print(f"error: {problem}", file=sys.stderr)
            return 2

        try:
            zip_path, manifest = build(args.out)
        except (OSError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"wrote {zip_path} ({zip_path.stat().st_size // 1024} KiB): {manifest}")
        return 0
    from .run import main as run_main

    return run_main(args.root)


if __name__ == "__main__":
    sys.exit(main())
