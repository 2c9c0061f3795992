"""RestoreDeletedCells (autograder/nbgrader/preprocessors/restoredeletedcells.py): a grade cell the student
deleted is put back after the nearest earlier source cell the submission still has, also when that
is a read-only cell (where nbgrader 0.9's OverwriteCells stops on a KeyError)."""

import os
import sys
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from nbgrader.api import Gradebook
from nbgrader.preprocessors import OverwriteCells, SaveCells
from nbgrader.utils import compute_checksum

from autograder.nbgrader.preprocessors import RestoreDeletedCells


def _cell(kind: str, grade_id: str, source: str, *, grade=False, solution=False, locked=False):
    cell = (new_code_cell if kind == "code" else new_markdown_cell)(source)
    cell.metadata.nbgrader = {
        "grade_id": grade_id,
        "grade": grade,
        "solution": solution,
        "locked": locked,
        "task": False,
        "schema_version": 3,
    }
    if grade:
        cell.metadata.nbgrader["points"] = 1
    cell.metadata.nbgrader["checksum"] = compute_checksum(cell)
    return cell


def _source() -> list:
    return [
        _cell("markdown", "q1_text", "Question 1", locked=True),  # read-only
        _cell("code", "q1_test", "assert True", grade=True, locked=True),  # follows a read-only cell
        _cell("code", "q2_answer", "x = 1", solution=True),
        _cell("code", "q2_test", "assert x == 1", grade=True, locked=True),
    ]


@pytest.fixture
def resources(tmp_path, monkeypatch):
    # A new gradebook runs the environment's `alembic` command.
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    db = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(db) as gb:
        gb.add_assignment("ps0")
    resources = {"nbgrader": {"db_url": db, "assignment": "ps0", "notebook": "test"}}
    SaveCells().preprocess(new_notebook(cells=_source()), resources)
    return resources


def _ids(nb) -> list[str]:
    return [cell["metadata"]["nbgrader"]["grade_id"] for cell in nb.cells]


def test_deleted_grade_cells_are_put_back_where_they_were(resources):
    submission = new_notebook(
        cells=[c for c in _source() if c.metadata.nbgrader["grade_id"] not in ("q1_test", "q2_test")]
    )
    nb, _ = RestoreDeletedCells(add_missing_cells=True).preprocess(submission, resources)
    assert _ids(nb) == ["q1_text", "q1_test", "q2_answer", "q2_test"]
    assert nb.cells[1]["source"].endswith("assert True") and nb.cells[3]["source"].endswith("assert x == 1")


def test_a_deleted_first_cell_goes_first(resources):
    submission = new_notebook(cells=[c for c in _source() if c.metadata.nbgrader["grade_id"] != "q1_text"][1:])
    nb, _ = RestoreDeletedCells(add_missing_cells=True).preprocess(submission, resources)
    assert _ids(nb) == ["q1_test", "q2_answer", "q2_test"]  # q1_text is no grade cell: not restored


def test_nothing_is_added_unless_asked(resources):
    submission = new_notebook(cells=[c for c in _source() if c.metadata.nbgrader["grade_id"] != "q1_test"])
    nb, _ = RestoreDeletedCells().preprocess(submission, resources)
    assert _ids(nb) == ["q1_text", "q2_answer", "q2_test"]


def test_nbgraders_own_version_fails_here(resources):
    """Why the subclass exists (nbgrader 0.9.x): if this starts passing, RestoreDeletedCells may go."""
    submission = new_notebook(cells=[c for c in _source() if c.metadata.nbgrader["grade_id"] != "q1_test"])
    with pytest.raises(KeyError):
        OverwriteCells(add_missing_cells=True).preprocess(submission, resources)
