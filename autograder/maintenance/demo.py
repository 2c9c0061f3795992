"""`make demo`: a whole grading round on a throwaway course, on the embedded digits dataset.

Builds a course folder, generates the student version with nbgrader, lays out a small class
(a perfect submission, one with typical mistakes, an untouched one, one that crashes, one that
loops forever, one that is not valid JSON), grades it with `nbgrader autograde` and with
`python -m autograder grade --jobs`, writes the class report (``class.html`` beside the grades
CSV), exports the grades, generates the feedback and prints a grade table and where everything is.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path

from autograder.course.reference import fill_notebook, solution_answers
from autograder.nbgrader.course import Course
from autograder.nbgrader.round import grade_with_both, print_round, where

SOLVER_LOOP = "model = TwoLayerNet(input_dim=input_dim, num_classes=num_classes)\nwhile True:\n    pass\n"


def typical_mistakes(answers: dict[str, str]) -> dict[str, str]:
    """The answer cells of a student with typical mistakes, from the solution's ``answers``: softmax
    on raw scores, scalar biases, and a wrong choice in inline question 1."""
    two_layer_net = (
        answers["two_layer_net"]
        .replace('self.params["b1"] = np.zeros(hidden_dim)', 'self.params["b1"] = 0')
        .replace('self.params["b2"] = np.zeros(num_classes)', 'self.params["b2"] = 0')
    )
    return {
        "softmax_loss": answers["softmax_loss"].replace("shifted = x - x.max(axis=1, keepdims=True)", "shifted = x"),
        "two_layer_net": two_layer_net,
        "inline_question_1_choices": "inline_question_1_choices = {2, 3}",
    }


def demo_class(answers: dict[str, str]) -> dict[str, dict]:
    """The demo class, from the solution's ``answers``: student -> what they hand in (``changes``
    to the solution's cells and whether it is ``solved``, or ``raw`` text) and ``about`` it."""
    return {
        "ada": {"changes": None, "solved": True, "about": "perfect"},
        "ben": {
            "changes": typical_mistakes(answers),
            "solved": True,
            "about": "typical mistakes (softmax overflow, scalar biases, a wrong choice)",
        },
        "cy": {"changes": None, "solved": False, "about": "untouched release notebook"},
        "dee": {
            "changes": {"relu_forward": "import os\nos._exit(1)\n"},
            "solved": True,
            "about": "crashes its kernel (os._exit in a cell)",
        },
        "eve": {"changes": {"solver": SOLVER_LOOP}, "solved": True, "about": "loops forever in the Solver cell"},
        "fay": {"raw": '{"cells": [ this is not JSON', "about": "not valid notebook JSON"},
    }


def write_demo_class(release: Path, folder: Path, submit: Callable[[str, Path | None, str | None], object]) -> dict:
    """Write each demo student's notebook (from the ``release`` notebook) into ``folder`` and hand
    it to ``submit(student, notebook, raw)``; returns student -> what their submission is."""
    answers = solution_answers()
    who = {}
    for student, spec in demo_class(answers).items():
        if "raw" in spec:
            submit(student, None, spec["raw"])
        else:
            base = answers if spec["solved"] else {}
            nb = fill_notebook(release, folder / f"{student}.ipynb", {**base, **(spec["changes"] or {})})
            submit(student, nb, None)
        who[student] = spec["about"]
    return who


def class_of_students(course: Course) -> dict[str, str]:
    """The demo class, submitted to ``course``: student -> what their submission is."""
    return write_demo_class(
        course.release_notebook,
        course.root / "demo-submissions",
        lambda student, nb, raw: course.submit(student, nb, raw=raw),
    )


def _similarity(course: Course) -> Path:
    """The class's similarity report, beside the course (never in submitted/ or feedback/)."""
    from autograder.similarity.pipeline import run
    from autograder.similarity.report_html import to_html

    out = course.root / "similarity.html"
    out.write_text(to_html(run(course.root / "submitted", jobs=1)), encoding="utf-8")
    return out


def main(args: argparse.Namespace) -> int:
    started = time.monotonic()
    root = Path(args.dir).resolve()
    os.environ.setdefault("TWO_LAYER_NET_DATASET", "digits")
    print(f"Building the demo course in {root} ...", flush=True)
    course = Course(root, cell_timeout=args.cell_timeout).create()
    who = class_of_students(course)
    print(f"Student version: {course.release_notebook}")
    print(f"Demo class: {len(who)} submissions in {root / 'submitted'}", flush=True)

    results = grade_with_both(course, args.jobs, args.cell_timeout)
    csv_nbgrader = course.export(root / "grades-nbgrader.csv")
    feedback = course.feedback()
    similarity = _similarity(course)
    print_round(course, results, who)
    print("Where everything is:")
    for label, path in [
        ("student version", course.release_notebook.parent),
        *where(course, results),
        ("feedback HTML", feedback[0].parent.parent if feedback else root / "feedback"),
        ("nbgrader grades CSV", csv_nbgrader),
        ("similarity report (instructors only)", similarity),
    ]:
        print(f"  {label:<38} {path}")
    print(
        f"Done in {time.monotonic() - started:.0f} s. Hand-grade the inline questions with: "
        f"cd {root} && jupyter lab  (Nbgrader > Formgrader)"
    )
    return 0
