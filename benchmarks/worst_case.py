"""The worst case of a class: bad submissions that loop, flood their output or exhaust their
processes in the training cells, and what they cost the grader.

Two classes of the same size, graded one after the other with ``python -m autograder grade
--jobs 2``: the grading benchmark's class (``grading.class_submissions``), and the same class with
some of its submissions replaced by the reference solution with one training cell made hostile.
The difference in wall time, per bad submission, is what such a submission costs; each one is
bounded by the course's time budget of the cell it attacks (``twolayer/assignment.toml``).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from twolayer.config import training_budgets

from .common import corpus, log, table
from .grading import _slug, class_submissions, run_autograder, write_class

# The training cells made hostile, each one a way of not finishing. The reference's other cells
# stay, so that everything else of the submission grades normally (full marks but that item).
_FORK_UNTIL_REFUSED = (
    "import os, time\n"
    "while True:\n"
    "    try:\n"
    "        if os.fork() == 0:\n"
    "            time.sleep(1000)\n"
    "            os._exit(0)\n"
    "    except OSError:\n"
    "        break\n"
)


def hostile_submissions() -> list[dict[str, Any]]:
    """[{description, item, answers}]: the reference with one training cell that misbehaves."""
    answers = corpus().ANSWERS
    return [
        {
            "description": "solver cell loops forever",
            "item": "solver",
            "answers": {"solver": "model = None\nsolver = None\nwhile True:\n    pass\n"},
        },
        {
            "description": "solver cell floods its output",
            "item": "solver",
            "answers": {"solver": "while True:\n    print('loss: nan ' * 100)\n"},
        },
        {
            "description": "solver cell exhausts its processes, then trains",
            "item": "solver",
            "answers": {"solver": _FORK_UNTIL_REFUSED + answers["solver"]},
        },
        {
            "description": "search cell floods its output",
            "item": "hyperparameter_search",
            "answers": {"hyperparameter_search": "while True:\n    print('trying lr=1e-3 ' * 100)\n"},
        },
    ]


def with_hostile(subs: list[dict[str, Any]], hostile: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``subs`` with its last submissions replaced by ``hostile`` ones (same size, same students
    before them)."""
    bad = [
        {"kind": "hostile", "description": h["description"], "item": h["item"], "answers": h["answers"], "solved": True}
        for h in hostile
    ]
    out = [dict(s) for s in subs[: len(subs) - len(bad)]] + bad
    for i, sub in enumerate(out, 1):
        sub["student"] = f"s{i:02d}_{_slug(sub['description'])}"
    return out


def benchmark(*, count: int, jobs: int) -> dict[str, Any]:
    env = {"TWO_LAYER_NET_DATASET": "digits"}
    hostile = hostile_submissions()
    plain = class_submissions(count)
    bad = with_hostile(plain, hostile)
    out: dict[str, Any] = {
        "dataset": "digits",
        "jobs": jobs,
        "submissions": len(plain),
        "hostile": [{"student": s["student"], "description": s["description"], "item": s["item"]} for s in bad[-4:]],
        "budgets": training_budgets("digits"),
    }
    root = Path(tempfile.mkdtemp(prefix="bench-worst-case-"))
    try:
        for name, subs in (("without", plain), ("with", bad)):
            submitted = root / name / "submitted"
            write_class(submitted, subs)
            log(f"grading {len(subs)} digits submissions {name} the {len(hostile)} hostile ones, --jobs {jobs}")
            out[name] = run_autograder(submitted, jobs, env, root / name / "work")
        extra = out["with"].get("seconds", 0) - out["without"].get("seconds", 0)
        out["extra_seconds"] = extra
        out["extra_seconds_per_hostile"] = extra / len(hostile)
        per = out["with"].get("per_submission_seconds", {})
        scores = out["with"].get("scores", {})
        for h in out["hostile"]:
            h["seconds"] = per.get(h["student"])
            h["budget"] = out["budgets"].get(h["item"])
            h["item_points"] = (scores.get(h["student"]) or {}).get("items", {}).get(h["item"])
        return out
    finally:
        shutil.rmtree(root, ignore_errors=True)


def tables(w: dict[str, Any]) -> str:
    """Markdown tables of a result of :func:`benchmark`."""
    n, jobs = w["submissions"], w["jobs"]
    rows = [
        [f"{n} submissions, none hostile", f"{w['without'].get('seconds', 0):.1f}"],
        [f"the same {n}, {len(w['hostile'])} of them hostile", f"{w['with'].get('seconds', 0):.1f}"],
        ["extra per hostile submission", f"{w['extra_seconds_per_hostile']:.1f}"],
    ]
    out = [f"### The worst case: digits, --jobs {jobs}", "", table(["class", "wall time (s)"], rows), ""]
    rows = [
        [
            h["description"],
            h["item"],
            f"{h['seconds']:.1f}" if h["seconds"] is not None else "",
            h["budget"],
            h["item_points"],
        ]
        for h in w["hostile"]
    ]
    out += [table(["hostile submission", "item", "graded in (s)", "budget of the cell (s)", "points"], rows), ""]
    return "\n".join(out)
