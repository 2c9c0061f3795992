"""Reading a submitted notebook: its answer cells by grade_id, and the programs to run.

Only the student's *answer* cells are taken from the submission; every locked cell (set-up,
scaffolding) comes from the instructor's source notebook, so editing a locked cell changes
nothing. A missing, duplicated, retyped or renamed answer cell costs its item, with a message.
"""

from __future__ import annotations

import ast
import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .items import ITEMS, ITEMS_BY_NAME, TRAINING_ITEMS
from .reference import load_source

MAX_NOTEBOOK_BYTES = 50 * 1024**2


@dataclass
class Submission:
    path: Path
    answers: dict[str, str] = field(default_factory=dict)  # item -> source/text
    problems: dict[str, str] = field(default_factory=dict)  # item -> what is wrong with its cell
    error: str | None = None  # the notebook could not be read
    kernel: str = ""

    def defined_names(self, item: str) -> list[str]:
        """Top-level names an answer cell defines (to explain a renamed function)."""
        try:
            tree = ast.parse(self.answers.get(item, ""))
        except SyntaxError:
            return []
        names = []
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
                names.append(node.name)
            elif isinstance(node, ast.Assign):
                names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        return names


def read_submission(path: str | Path) -> Submission:
    path = Path(path)
    sub = Submission(path)
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            sub.error = f"the notebook is larger than {MAX_NOTEBOOK_BYTES // 1024**2} MB"
            return sub
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        sub.error = f"the notebook could not be read: {exc}"
        return sub
    except (json.JSONDecodeError, RecursionError) as exc:
        sub.error = f"the file is not a valid notebook (invalid JSON): {type(exc).__name__}: {str(exc)[:200]}"
        return sub
    if (
        not isinstance(nb, dict)
        or nb.get("nbformat") != 4
        or not isinstance(nb.get("cells"), list)
        or not all(isinstance(c, dict) and isinstance(c.get("metadata", {}), dict) for c in nb["cells"])
    ):
        sub.error = "the file is not a valid notebook (JSON, but not a version 4 notebook with a list of cells)"
        return sub
    metadata = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    kernelspec = metadata.get("kernelspec") if isinstance(metadata.get("kernelspec"), dict) else {}
    sub.kernel = str(kernelspec.get("name", ""))
    found: dict[str, list] = {}
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        if grade_id in ITEMS_BY_NAME:
            found.setdefault(grade_id, []).append(cell)
    for item in ITEMS:
        cells = found.get(item.name, [])
        if not cells:
            sub.problems[item.name] = (
                f"the answer cell `{item.name}` is missing from the notebook (deleted, or its "
                "nbgrader metadata removed): answers must stay in the cells the notebook gives"
            )
        elif len(cells) > 1:
            sub.problems[item.name] = (
                f"the notebook has {len(cells)} cells with the grade_id `{item.name}` (a copied "
                "cell?): keep exactly one answer cell"
            )
        elif cells[0].get("cell_type") != item.kind:
            sub.problems[item.name] = (
                f"the answer cell `{item.name}` was changed from a {item.kind} cell to a "
                f"{cells[0].get('cell_type')} cell"
            )
        else:
            source = cells[0].get("source", "")
            sub.answers[item.name] = "".join(map(str, source)) if isinstance(source, list) else str(source)
    return sub


def training_seeds(seed: int, items: Iterable[str]) -> dict[str, int]:
    """The seed of the student's random state before each training item's cell: one of its own
    per cell, from the grading's ``seed`` (a cell's draws then do not depend on how many draws
    the cells before it took, nor on whether they ran)."""
    return {
        item: int(np.random.SeedSequence([seed, zlib.crc32(item.encode())]).generate_state(1)[0])
        for item in items
        if item in TRAINING_ITEMS
    }


def seeding_cell(item: str, seed: int) -> tuple[str, str]:
    """The grader's cell that seeds numpy's global RandomState and Python's ``random`` before a
    training cell. The notebook's own seeds (``np.random.seed(231)``) are in check cells, which
    the grader does not run: without this, every grading of the same notebook trained on other
    draws, and a network near its threshold got the points once and not the next time. Written
    with ``__import__`` so that it neither needs nor defines a name in the student's namespace."""
    return f"{item}_seed", f"__import__('numpy').random.seed({seed})\n__import__('random').seed({seed})\n"


def first_training_cell(cells: list[tuple[str, str]]) -> str | None:
    """The id of the first cell of ``cells`` (a :func:`program`) that belongs to a training item:
    its seeding cell, or its answer cell."""
    seeds = {seeding_cell(item, 0)[0] for item in TRAINING_ITEMS}
    return next((cell for cell, _ in cells if cell in TRAINING_ITEMS or cell in seeds), None)


def program(
    sub: Submission, items: tuple[str, ...], *, with_data: bool, seed: int | None = None
) -> list[tuple[str, str]]:
    """The cells to run, in the source notebook's order: locked cells from the source notebook,
    answer cells from the submission; only answer cells of ``items`` and locked set-up cells.
    With a ``seed``, each training cell comes after a `seeding_cell` (``training_seeds``)."""
    seeds = training_seeds(seed, items) if seed is not None else {}
    cells = []
    for cell in load_source().cells:
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id", "")
        if cell.cell_type != "code":
            continue
        if grade_id in ITEMS_BY_NAME:
            if grade_id in items and grade_id in sub.answers:
                if grade_id in seeds:
                    cells.append(seeding_cell(grade_id, seeds[grade_id]))
                cells.append((grade_id, sub.answers[grade_id]))
        elif grade_id == "setup_imports" or (with_data and grade_id in ("setup_data", "search_setup")):
            cells.append((grade_id, cell.source))
    return cells
