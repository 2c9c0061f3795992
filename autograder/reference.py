"""The reference solution: the solution cells of the source notebook, nothing else.

There is no second copy of the solution to keep in step: the grader executes the code cells
of ``source/two_layer_net/two_layer_net.ipynb`` that nbgrader marks as solutions, in the
grader's own process. It never reaches ``release/`` (nbgrader strips it) nor a worker.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

import nbformat
from twolayer.config import ITEMS

REPO = Path(__file__).resolve().parents[1]
SOURCE_NOTEBOOK = REPO / "source" / "two_layer_net" / "two_layer_net.ipynb"
# Items whose reference code the checks call (training and search are not re-run by the grader).
REFERENCE_ITEMS = ("affine_forward", "affine_backward", "relu_forward", "relu_backward", "svm_loss",
                   "softmax_loss", "two_layer_net", "inline_question_1_choices", "inline_question_2_choices")


def source_notebook() -> Path:
    return Path(os.environ.get("AUTOGRADER_SOURCE_NOTEBOOK", SOURCE_NOTEBOOK))


@lru_cache(maxsize=1)
def load_source() -> nbformat.NotebookNode:
    return nbformat.read(source_notebook(), as_version=4)


def source_cells() -> dict[str, nbformat.NotebookNode]:
    """The cells of the source notebook by grade_id."""
    return {c.metadata["nbgrader"]["grade_id"]: c for c in load_source().cells
            if "nbgrader" in c.metadata and "grade_id" in c.metadata["nbgrader"]}


def solution_answers() -> dict[str, str]:
    """The source notebook's answer cells as a student would write them (no nbgrader markers)."""
    import re

    return {c.metadata["nbgrader"]["grade_id"]: re.sub(r"^\s*### (BEGIN|END) SOLUTION\n?", "", c.source, flags=re.M)
            for c in load_source().cells if c.metadata.get("nbgrader", {}).get("solution")}


def fill_notebook(base: Path, dest: Path, answers: dict[str, str]) -> Path:
    """Write ``base`` (a release notebook) to ``dest`` with the given answer cells filled in."""
    nb = nbformat.read(base, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    dest.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dest)
    return dest


@lru_cache(maxsize=1)
def reference() -> SimpleNamespace:
    """The reference functions, ``TwoLayerNet`` and the inline-question answers."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    cells = source_cells()
    names = {item.name: item.defines for item in ITEMS}
    ns: dict = {"__name__": "reference"}
    exec(compile(cells["setup_imports"].source, "<reference setup_imports>", "exec"), ns)
    for item in REFERENCE_ITEMS:
        exec(compile(cells[item].source, f"<reference {item}>", "exec"), ns)
        if names[item] not in ns:
            raise RuntimeError(f"the source notebook's {item} cell does not define {names[item]}")
    return SimpleNamespace(**{names[item]: ns[names[item]] for item in REFERENCE_ITEMS})
