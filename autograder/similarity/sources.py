"""Reading what is compared: the answer cells of submitted notebooks, and of the instructor's
known solutions (notebooks, or ``.py`` files).

Nothing here stops a run. A file that cannot be read (not a notebook, binary junk, too large)
is *skipped* with the reason; a notebook missing some answer cells is compared on the others,
and the missing cells are listed with it.

A ``.py`` file has no cells: it is cut at the top-level definitions of the names the answer
cells define (``def affine_forward``, ``class TwoLayerNet``, ``best_model = ...``; from
``autograder/course/items.py``). What stands before a definition (imports, helper functions) goes to
the cell of the definition that follows it.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course.items import ITEMS, Kind
from autograder.course.notebook import MAX_NOTEBOOK_BYTES, read_submission
from autograder.grading.results import student_name

#: The answer cells compared: the code cells students write (from ``autograder/course/items.py``).
COMPARED = tuple(item.name for item in ITEMS if item.kind is Kind.CODE)
#: The written answers (markdown) compared as text (``written.py``).
WRITTEN_ANSWERS = tuple(item.name for item in ITEMS if item.kind is Kind.MARKDOWN)
_DEFINES = {item.defines: item.name for item in ITEMS if item.kind is Kind.CODE and item.defines}
_DEFINITION = re.compile(r"^(?:async\s+def|def|class)\s+(\w+)|^(\w+)\s*(?::[^=\n]*)?=(?!=)")


@dataclass
class Source:
    """The answer cells of one submission or known solution."""

    label: str  # the student (nbgrader's folder), or "known: <path>"
    path: Path
    known: bool
    cells: dict[str, str] = field(default_factory=dict)  # item -> the cell's source
    notes: dict[str, str] = field(default_factory=dict)  # item -> why it is not compared


@dataclass(frozen=True)
class Skipped:
    """An input left out of the comparison, and why."""

    path: Path
    reason: str


def find_inputs(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """Files of ``folder`` (searched recursively) with one of ``suffixes``, checkpoints left out."""
    if not folder.exists():
        raise FileNotFoundError(f"{folder}: no such file or folder")
    if folder.is_file():
        return [folder]
    return sorted(
        p
        for p in folder.rglob("*")
        if p.suffix in suffixes and p.is_file() and ".ipynb_checkpoints" not in p.parts and not p.name.startswith(".")
    )


def label_of(path: Path, root: Path, known: bool) -> str:
    """The name a reader knows an input by: the student of nbgrader's layout, else its path."""
    rel = path.relative_to(root) if path != root and root in path.parents else Path(path.name)
    if known:
        return f"known: {rel.as_posix()}"
    if path.parent.name == "two_layer_net" and path.name == "two_layer_net.ipynb" and path.parent.parent != root:
        return student_name(path)
    return rel.with_suffix("").as_posix()


def read_source(path: Path, label: str, known: bool) -> Source | Skipped:
    """The answer cells of a notebook or ``.py`` file, or why it was skipped."""
    if path.suffix == ".py":
        return _read_python(path, label, known)
    sub = read_submission(path)
    if sub.error:
        if _binary(path):
            return Skipped(path, "binary data, not a notebook")
        return Skipped(path, sub.error)
    source = Source(label, path, known)
    for item in COMPARED:
        if item in sub.answers:
            source.cells[item] = sub.answers[item]
        else:
            source.notes[item] = sub.problems.get(item, "missing")
    if not source.cells:
        return Skipped(
            path, "none of the answer cells is in the notebook (" + "; ".join(sub.problems.values())[:300] + ")"
        )
    for item in WRITTEN_ANSWERS:  # compared as text; a notebook of written answers alone is not compared
        if item in sub.answers:
            source.cells[item] = sub.answers[item]
    return source


def _binary(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    return b"\0" in head


def _read_python(path: Path, label: str, known: bool) -> Source | Skipped:
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            return Skipped(path, f"the file is larger than {MAX_NOTEBOOK_BYTES // 1024**2} MB")
        data = path.read_bytes()
    except OSError as exc:
        return Skipped(path, f"the file could not be read: {exc}")
    if b"\0" in data:
        return Skipped(path, "binary data, not Python source")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return Skipped(path, "not UTF-8 text, not Python source")
    cells = split_python(text)
    if not cells:
        names = ", ".join(_DEFINES)
        return Skipped(path, f"defines none of the answer cells' names ({names}) at the top level")
    source = Source(label, path, known, cells=cells)
    for item in COMPARED:
        if item not in cells:
            source.notes[item] = "not in the file"
    return source


def split_python(text: str) -> dict[str, str]:
    """Python source cut into answer cells at the top-level definitions of the items' names.

    Each top-level statement that defines an item's name starts or continues that item's cell;
    any other statement (an import, a helper) goes with the next such definition, or with the
    last one at the end of the file."""
    lines = text.splitlines(keepends=True)
    starts = _statement_starts(text, lines)
    owners: list[str | None] = []
    for start in starts:
        m = _DEFINITION.match(lines[start])
        name = m.group(1) or m.group(2) if m else None
        owners.append(_DEFINES.get(name or ""))
    if not any(owners):
        return {}
    # Statements of no cell belong to the next definition (the last one at the end).
    following: str | None = None
    for i in range(len(owners) - 1, -1, -1):
        following = owners[i] or following
        owners[i] = following
    last = next(o for o in reversed(owners) if o)
    cells: dict[str, str] = {}
    bounds = [*starts[1:], len(lines)]
    for i, (start, end) in enumerate(zip(starts, bounds, strict=True)):
        item = owners[i] or last
        begin = 0 if i == 0 else start
        cells[item] = cells.get(item, "") + "".join(lines[begin:end])
    return cells


def _statement_starts(text: str, lines: list[str]) -> list[int]:
    """The line numbers (from 0) where top-level statements start, decorators included."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        tree = None
    if tree is not None:
        starts = []
        for node in tree.body:
            decorators = getattr(node, "decorator_list", [])
            starts.append(min([node.lineno, *(d.lineno for d in decorators)]) - 1)
        return starts
    # Source Python cannot parse: statements start at column 0 (not comments, not closing brackets).
    return [
        n
        for n, line in enumerate(lines)
        if line.strip() and not line[0].isspace() and not line.startswith(("#", ")", "]", "}"))
    ]
