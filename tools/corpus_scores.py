"""Record (or compare) the points every corpus submission gets, cell by cell.

A change that moves grading code must leave every score unchanged (the course's first
principle). Run it before the change with ``--write``, after it without: it grades the whole
corpus of ``tests/corpus.py`` (real mistakes, differently written correct code, hostile
submissions), the demo class, the solution and the untouched release through the command
line (`python -m autograder grade --format json`, the interface that does not move), and
compares with ``tests/files/corpus_scores.json``.

    .venv/bin/python tools/corpus_scores.py [--write] [--jobs 2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import corpus  # noqa: E402  (tests/corpus.py: the corpus lives with the tests)

BASELINE = REPO / "tests" / "files" / "corpus_scores.json"
SEED = "1234"


def submissions() -> dict[str, dict[str, str] | None]:
    """name -> answer cells changed from the solution (None: the untouched release)."""
    subs: dict[str, dict[str, str] | None] = {"solution": {}, "release": None}
    subs.update({f"mistake: {m.name}": m.answers for m in corpus.MISTAKES})
    subs.update({f"correct: {name}": answers for name, answers in corpus.CORRECT.items()})
    subs.update({f"hostile: {h.name}": h.answers for h in corpus.HOSTILE})
    from autograder.maintenance.demo import SOLVER_LOOP, typical_mistakes

    subs["demo: typical mistakes"] = typical_mistakes(corpus.ANSWERS)
    subs["demo: os._exit in a cell"] = {"relu_forward": "import os\nos._exit(1)\n"}
    subs["demo: loops in the Solver cell"] = {"solver": SOLVER_LOOP}
    return subs


def folder_name(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)


def grade(jobs: int) -> dict[str, dict[str, float | None]]:
    subs = submissions()
    with tempfile.TemporaryDirectory(prefix="tln-corpus-") as tmp:
        root = Path(tmp)
        names = {}
        for name, answers in subs.items():
            path = root / folder_name(name) / "two_layer_net" / "two_layer_net.ipynb"
            corpus.write_submission(path, answers or {}, solved=answers is not None)
            names[folder_name(name)] = name
        (root / "invalid_json" / "two_layer_net").mkdir(parents=True)
        (root / "invalid_json" / "two_layer_net" / "two_layer_net.ipynb").write_text('{"cells": [ not JSON')
        names["invalid_json"] = "invalid JSON"
        out = root / "report.json"
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "autograder",
                "grade",
                str(root),
                "--format",
                "json",
                "-o",
                str(out),
                "--jobs",
                str(jobs),
                "--seed",
                SEED,
                "--cell-timeout",
                "120",
            ],
            text=True,
        )
        if proc.returncode != 0:
            raise SystemExit(f"the grader failed (exit {proc.returncode})")
        report = json.loads(out.read_text())
    scores: dict[str, dict[str, float | None]] = {}
    for sub in report["submissions"]:
        name = names[Path(sub["path"]).parts[-3]]
        if sub["status"] != "graded":
            scores[name] = {"ungraded": None}
            continue
        scores[name] = {c["grade_id"]: c["points"] for c in sub["cells"]}
    return dict(sorted(scores.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help=f"record the scores in {BASELINE.relative_to(REPO)}")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    scores = grade(args.jobs)
    if args.write:
        BASELINE.parent.mkdir(parents=True, exist_ok=True)
        BASELINE.write_text(json.dumps(scores, indent=1) + "\n")
        print(f"recorded {len(scores)} submissions in {BASELINE}")
        return 0
    before = json.loads(BASELINE.read_text())
    differ = [name for name in sorted(set(before) | set(scores)) if before.get(name) != scores.get(name)]
    for name in differ:
        print(f"DIFFERENT {name}:\n  before {before.get(name)}\n  after  {scores.get(name)}")
    print(f"{len(scores)} submissions, {len(differ)} with different scores")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
