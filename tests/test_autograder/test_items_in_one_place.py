"""One item in one place (issue 21): changing how an item is graded opens at most three files, its
suite module, the check functions it calls, and ``assignment.toml``; and ``docs/architecture.md``
shows the table this computes.

A file is part of an item's grading when its tests are marked as grading the item (the suite
module), or when it names the item: a string of the item's name, of one of
its grade cells (``<item>_check``, ``<item>_hidden``) or of the name its code defines
(``TwoLayerNet``), or, in ``assignment.toml``, a key or value that is one of those; and so are the
check functions of ``twolayer/checks/`` that its suite module alone calls. The grading
code is the grader's (``autograder/``, but ``similarity/``, which grades nothing, and
``maintenance/``, the demo class and the course's upkeep) and the student library's
(``twolayer/``). What every item shares (the pytest plugin, the sandbox, the comparisons, the
reports) names none: an item's grading cannot hide there.

    python tests/test_autograder/test_items_in_one_place.py    # prints the table
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "source" / "two_layer_net"))

from autograder.course.items import ITEMS  # noqa: E402

SETTINGS = ROOT / "source" / "two_layer_net" / "twolayer" / "assignment.toml"
NOT_GRADING = ("autograder/similarity/", "autograder/maintenance/")
# The assignment shares its name with the item two_layer_net: the one module that spells the
# course's names names the assignment, not the item.
NAMES_MODULE = "autograder/course/names.py"
MOST = 3


def grading_files() -> list[Path]:
    files = [*(ROOT / "autograder").rglob("*.py"), *(ROOT / "source" / "two_layer_net" / "twolayer").rglob("*.py")]
    keep = [f for f in files if not str(f.relative_to(ROOT)).startswith(NOT_GRADING)]
    return sorted([*keep, SETTINGS])


def names_of(item) -> set[str]:
    return {item.name, *item.test_cells, *([item.defines] if item.defines and item.defines != "solver" else [])}


def strings_in(path: Path) -> set[str]:
    if path.suffix == ".toml":
        return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", path.read_text()))
    if str(path.relative_to(ROOT)) == NAMES_MODULE:
        return set()
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.add(node.value)
    return found


CHECKS = ROOT / "source" / "two_layer_net" / "twolayer" / "checks"


def check_modules(path: Path) -> set[Path]:
    """The modules of ``twolayer/checks/`` that a module imports (by name, or relatively from there)."""
    used = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.ImportFrom):
            continue
        module = node.module or ""
        if node.level == 1 and path.parent == CHECKS:
            module = f"twolayer.checks.{module}" if module else "twolayer.checks"
        if module == "twolayer.checks":
            used.update(CHECKS / f"{alias.name}.py" for alias in node.names)
        elif module.startswith("twolayer.checks."):
            used.add(CHECKS / f"{module.split('.')[2]}.py")
    return {f for f in used if f.is_file()}


def graded_in() -> dict[str, set[Path]]:
    """item -> the suite modules with a test marked as grading it (read from the tests' marks)."""
    import importlib

    from _pytest.mark.structures import ParameterSet

    found: dict[str, set[Path]] = {}
    for path in sorted((ROOT / "autograder" / "suite").glob("test_*.py")):
        module = importlib.import_module(f"autograder.suite.{path.stem}")
        for test in vars(module).values():
            marks = list(getattr(test, "pytestmark", []))
            for mark in list(marks):
                if mark.name == "parametrize":
                    marks += [m for p in mark.args[1] if isinstance(p, ParameterSet) for m in p.marks]
            for mark in marks:
                if mark.name == "grades":
                    found.setdefault(mark.args[0], set()).add(path)
    return found


def files_per_item() -> dict[str, list[str]]:
    strings = {path: strings_in(path) for path in grading_files()}
    used = {path: check_modules(path) for path in grading_files() if path.suffix == ".py"}
    # The check functions a suite module alone imports are its items'; those that other modules import
    # too (cases, comparisons, findings, targets, the visible checks) are what every item shares.
    own = {
        path: {f for f in found if sum(f in other for other in used.values()) == 1}
        for path, found in used.items()
        if path.name.startswith("test_")
    }
    marked = graded_in()
    table = {}
    for item in ITEMS:
        if item.by_hand:
            continue
        files = {path for path, found in strings.items() if found & names_of(item)} | marked.get(item.name, set())
        for module in [f for f in files if f in own]:
            files |= own[module]
        table[item.name] = sorted(str(path.relative_to(ROOT)) for path in files)
    return table


def test_an_item_is_graded_in_at_most_three_files():
    too_many = {item: files for item, files in files_per_item().items() if len(files) > MOST}
    assert not too_many, f"items graded in more than {MOST} files: {too_many}"


def test_each_item_has_its_suite_module_and_its_settings():
    for item, files in files_per_item().items():
        assert "source/two_layer_net/twolayer/assignment.toml" in files, item
        assert sum(f.startswith("autograder/suite/test_") for f in files) == 1, f"{item}: {files}"


def table_markdown() -> str:
    rows = ["| item | files to open |", "|---|---|"]
    for item, files in files_per_item().items():
        rows.append(f"| `{item}` | {', '.join(f'`{f}`' for f in files)} |")
    return "\n".join(rows)


def test_the_architecture_page_shows_the_table():
    page = (ROOT / "docs" / "architecture.md").read_text()
    assert table_markdown() in page, "docs/architecture.md: paste the table that this test prints\n" + table_markdown()


if __name__ == "__main__":
    print(table_markdown())
