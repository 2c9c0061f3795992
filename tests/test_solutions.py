"""solutions/: the executed solution notebook, for release after the deadline (`make solutions`)."""

from __future__ import annotations

import json
from pathlib import Path

from autograder.course.reference import solution_answers
from autograder.grading.options import Options
from autograder.grading.run import grade_submission

SOLUTIONS = Path(__file__).resolve().parents[1] / "solutions"


def _cells():
    return json.loads((SOLUTIONS / "two_layer_net.ipynb").read_text())["cells"]


def test_solutions_are_up_to_date_with_the_source_notebook():
    answers = solution_answers()
    for cell in _cells():
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            assert "".join(cell["source"]) == answers[grade_id], f"{grade_id}: run `make solutions`"


def test_solutions_ran_top_to_bottom_with_their_outputs():
    cells = [c for c in _cells() if c["cell_type"] == "code"]
    assert all(c.get("execution_count") for c in cells)
    assert not [c["id"] for c in cells for o in c.get("outputs", []) if o["output_type"] == "error"]
    text = json.dumps(cells)
    for expected in ("all checks passed", "Epoch 20 / 20", "best_model val accuracy", "image/png"):
        assert expected in text
    assert "BEGIN HIDDEN TESTS" not in text and "check_hidden" not in text and "BEGIN SOLUTION" not in text
    assert (SOLUTIONS / "two_layer_net.html").stat().st_size > 100_000


def test_solutions_grade_at_full_marks(tmp_path):
    r = grade_submission(SOLUTIONS / "two_layer_net.ipynb", Options(seed=11))
    assert r.status == "graded" and r.score == r.max_score == 92
