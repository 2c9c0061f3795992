"""The reference solution: the solution cells of the source notebook, nothing else.

There is no second copy of the solution to keep in step: the grader executes the code cells
of ``source/two_layer_net/two_layer_net.ipynb`` that nbgrader marks as solutions, in the
grader's own process. It never reaches ``release/`` (nbgrader strips it) nor a worker.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

from .items import CODE_ITEMS, ITEMS_BY_NAME

REPO = Path(__file__).resolve().parents[1]
SOURCE_NOTEBOOK = REPO / "source" / "two_layer_net" / "two_layer_net.ipynb"


def source_notebook() -> Path:
    return Path(os.environ.get("AUTOGRADER_SOURCE_NOTEBOOK", SOURCE_NOTEBOOK))


def cells_of(nb: dict) -> list[SimpleNamespace]:
    """The cells of a notebook's JSON, with ``source`` as one string.

    Plain JSON, not nbformat: importing nbformat (and jsonschema) costs the grader about a
    second per process, and every hidden test cell of the nbgrader notebook starts one.
    """
    out = []
    for cell in nb.get("cells", []):
        source = cell.get("source", "")
        out.append(
            SimpleNamespace(
                cell_type=cell.get("cell_type"),
                metadata=cell.get("metadata", {}) or {},
                source="".join(source) if isinstance(source, list) else str(source),
                id=cell.get("id"),
            )
        )
    return out


@lru_cache(maxsize=1)
def load_source() -> SimpleNamespace:
    with open(source_notebook(), encoding="utf-8") as f:
        return SimpleNamespace(cells=cells_of(json.load(f)))


def source_cells() -> dict[str, SimpleNamespace]:
    """The cells of the source notebook by grade_id."""
    return {
        c.metadata["nbgrader"]["grade_id"]: c
        for c in load_source().cells
        if "nbgrader" in c.metadata and "grade_id" in c.metadata["nbgrader"]
    }


def solution_answers() -> dict[str, str]:
    """The source notebook's answer cells as a student would write them (no nbgrader markers)."""
    import re

    return {
        c.metadata["nbgrader"]["grade_id"]: re.sub(r"^\s*### (BEGIN|END) SOLUTION\n?", "", c.source, flags=re.M)
        for c in load_source().cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }


def fill_notebook(base: Path, dest: Path, answers: dict[str, str]) -> Path:
    """Write ``base`` (a release notebook) to ``dest`` with the given answer cells filled in."""
    import nbformat

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
    cells = source_cells()
    names = {name: ITEMS_BY_NAME[name].defines for name in CODE_ITEMS}
    ns: dict = {"__name__": "reference"}
    # The solution cells use numpy only; the set-up cell's plotting imports would cost the
    # grader half a second per process for nothing.
    exec("import numpy as np", ns)  # deliberate: the reference solution's cells, in the grader's process
    # The items graded by calling code (training and search are not re-run by the grader).
    for item in CODE_ITEMS:
        exec(
            compile(cells[item].source, f"<reference {item}>", "exec"), ns
        )  # deliberate: the instructor's solution cells
        if names[item] not in ns:
            raise RuntimeError(f"the source notebook's {item} cell does not define {names[item]}")
    return SimpleNamespace(**{names[item]: ns[names[item]] for item in CODE_ITEMS})
