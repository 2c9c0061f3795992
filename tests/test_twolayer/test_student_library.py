"""The helper library shipped to students holds only what students use: no grader-side code
(worker handles, recognition of known mistakes, hints only the grader gives)."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RELEASED = REPO / "release" / "two_layer_net" / "twolayer"
SUITE = REPO / "autograder" / "suite"
GRADER_NAMES = (
    "autograder",
    "Handle",
    "RemoteTarget",
    "WorkerProcess",
    "Session",
    "recognise",
    "diagnos",
    "hint_failures",
    "reference",
)


def library_sources() -> dict[str, str]:
    files = sorted(RELEASED.rglob("*.py"))
    assert files, f"no helper library in {RELEASED}"
    return {f.relative_to(RELEASED).as_posix(): f.read_text() for f in files}


def grader_hints() -> list[str]:
    """The hints the grader's tests give: every module-level string constant the suite defines
    (not those it imports from the student library)."""
    hints = []
    for path in SUITE.glob("test_*.py"):
        module = importlib.import_module(f"autograder.suite.{path.stem}")
        defined = {
            target.id
            for node in ast.parse(path.read_text()).body
            if isinstance(node, ast.Assign | ast.AnnAssign)
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(target, ast.Name)
        }
        hints += [
            value
            for name, value in vars(module).items()
            if name in defined and name.isupper() and isinstance(value, str) and len(value) > 30
        ]
    assert len(hints) >= 15, hints
    return hints


@pytest.mark.parametrize("name", GRADER_NAMES)
def test_no_grader_code_in_the_released_library(name):
    for filename, text in library_sources().items():
        code = "\n".join(
            node.id
            if isinstance(node, ast.Name)
            else getattr(node, "attr", "") or getattr(node, "name", "") or getattr(node, "module", "") or ""
            for node in ast.walk(ast.parse(text))
        )
        assert not re.search(rf"\b{name}", code), f"{filename} uses {name!r}: grader-side code ships to students"


def test_no_hint_that_only_the_grader_gives_ships_to_students():
    text = "\n".join(library_sources().values())
    shipped = [hint for hint in grader_hints() if hint in text]
    assert shipped == []


def test_every_hint_of_the_library_is_given_by_the_library_itself():
    from twolayer.checks.findings import HINTS

    uses = "\n".join(text for name, text in library_sources().items() if name != "checks/findings.py")
    unused = [key for key in HINTS if f'HINTS["{key}"]' not in uses]
    assert unused == [], f"hints the student library never gives: {unused}"


def test_the_notebook_imports_only_the_library():
    import json

    nb = json.loads((REPO / "release" / "two_layer_net" / "two_layer_net.ipynb").read_text())
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    visible = code.split("### BEGIN HIDDEN TESTS")[0]
    assert "autograder" not in visible
