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
from .names import RELEASE_NOTEBOOK, SOURCE_NOTEBOOK

#: The course folder: source/ (the reference solution), release/ (the student version) and
#: nbgrader_config.py. It is the checkout this package is installed from (`make setup` installs it
#: editable there), or the folder that AUTOGRADER_COURSE names. A plain install (`pip install` of
#: the wheel) holds the packages only: the commands that read the course say so at start.
COURSE_ENV = "AUTOGRADER_COURSE"
PACKAGES = Path(__file__).resolve().parents[2]  # the folder that holds this package
REPO = Path(os.environ.get(COURSE_ENV) or PACKAGES).resolve()
SOURCE = SOURCE_NOTEBOOK
RELEASE = RELEASE_NOTEBOOK
CONFIG = "nbgrader_config.py"
SOURCE_NOTEBOOK = REPO / SOURCE

#: What each command of `python -m autograder` (and `python -m autograder.gradescope build`) reads
#: from the course folder; the rest comes from the installed packages. `autograde`, `register` and
#: `roster` take the course folder as their --dir.
COURSE_FILES: dict[str, tuple[str, ...]] = {
    "grade": (SOURCE,),
    "check": (SOURCE,),
    "similarity": (SOURCE, RELEASE),
    "visible": (SOURCE,),
    "solutions": (SOURCE, RELEASE),
    "demo": (SOURCE, CONFIG),
    "autograde": (SOURCE, CONFIG),
    "register": (SOURCE, CONFIG),
    "roster": (CONFIG,),
    "autograder.gradescope build": ("pyproject.toml", SOURCE),
}
DIR_IS_COURSE = ("autograde", "register", "roster")
_WHAT = {SOURCE: "the reference solution", RELEASE: "the student version", CONFIG: "nbgrader's settings"}


def source_notebook() -> Path:
    return Path(os.environ.get("AUTOGRADER_SOURCE_NOTEBOOK", SOURCE_NOTEBOOK))


def course_problem(command: str, folder: str | Path | None = None) -> str | None:
    """Why ``command`` cannot run here, when the course folder lacks a file it reads; else None.

    ``folder`` is the command's --dir where that names the course folder (DIR_IS_COURSE)."""
    root = Path(folder).resolve() if folder is not None and command in DIR_IS_COURSE else REPO
    paths = {
        name: source_notebook() if (name, root) == (SOURCE, REPO) else root / name
        for name in COURSE_FILES.get(command, ())
    }
    missing = [name for name, path in paths.items() if not path.exists()]
    if not missing:
        return None
    what = ", ".join(f"{name} ({_WHAT[name]})" if name in _WHAT else name for name in missing)
    if root == PACKAGES and not (root / CONFIG).exists():
        where = (
            f"this is a plain install of the grader (in {root}), which holds no course: run it in a checkout "
            f"of the course set up with `make setup`, or point {COURSE_ENV} at the course folder"
        )
    else:
        where = f"{root} is not the course folder (or not all of it)"
    program = f"python -m {command}" if command.startswith("autograder.") else f"python -m autograder {command}"
    return f"`{program}` reads the course folder, and {what} is missing: {where} (docs/install.md)"


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
