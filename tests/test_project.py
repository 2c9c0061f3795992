"""The project's files agree with each other.

pyproject.toml, environment.yml and requirements.lock name the same dependencies, and the lock pins
them on every Python the README claims (tools/lock.py's PYTHONS, also pyproject's requires-python
and environment.yml's python); the points in
twolayer/assignment.toml add up to 100 and are the points of the source notebook's grade cells;
every graded item of autograder.course.items.ITEMS has its cells in the source notebook, with the right
type and nbgrader metadata, and every answer cell defines the name the grader looks for.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
from pathlib import Path

import nbformat
import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from autograder.course import items
from twolayer.config import points

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
SOURCE_NOTEBOOK = ROOT / "source" / "two_layer_net" / "two_layer_net.ipynb"
DEV_TOOLS = ("pytest-xdist", "ruff")  # in the lock and environment.yml, not in pyproject


def _load_lock_tool():
    spec = importlib.util.spec_from_file_location("lock", ROOT / "tools" / "lock.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


LOCK_TOOL = _load_lock_tool()
PYTHONS = LOCK_TOOL.PYTHONS  # the supported versions, each resolved into the lock


def environment_of(python: str) -> dict[str, str]:
    """The marker environment of this machine, but for Python ``python`` ("3.10")."""
    return {**default_environment(), "python_version": python, "python_full_version": f"{python}.0"}


def pyproject_requirements(extra: str | None = None) -> dict[str, Requirement]:
    """pyproject's dependencies, or those of its optional ``extra``."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        project = tomllib.load(f)["project"]
    deps = project["optional-dependencies"][extra] if extra else project["dependencies"]
    return {canonicalize_name(r.name): r for r in map(Requirement, deps)}


def lock_pins(python: str, lock: str = "requirements.lock") -> dict[str, Version]:
    """What `pip install -r LOCK` installs on Python ``python``: the lines whose marker (if any)
    holds for it."""
    pins: dict[str, Version] = {}
    for number, line in enumerate((ROOT / lock).read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        specs = list(requirement.specifier)
        assert len(specs) == 1 and specs[0].operator == "==", f"{lock} line {number} is not pinned with ==: {line!r}"
        if requirement.marker is not None and not requirement.marker.evaluate(environment_of(python)):
            continue
        name = canonicalize_name(requirement.name)
        assert name not in pins, f"{lock} pins {name} twice for Python {python}"
        pins[name] = Version(specs[0].version)
    return pins


@pytest.fixture(scope="module")
def source_cells() -> dict[str, nbformat.NotebookNode]:
    nb = nbformat.read(SOURCE_NOTEBOOK, as_version=4)
    ids = [cell.metadata.get("nbgrader", {}).get("grade_id") for cell in nb.cells]
    assert None not in ids, "every cell of the source notebook has nbgrader metadata"
    assert len(ids) == len(set(ids)), "grade_ids are unique"
    return {cell.metadata.nbgrader["grade_id"]: cell for cell in nb.cells}


# --------------------------------------------------------------------------------------------
# Dependencies
# --------------------------------------------------------------------------------------------


def test_environment_yml_has_the_dependencies_of_pyproject():
    yaml = pytest.importorskip("yaml")
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    listed: dict[str, Requirement] = {}
    for entry in env["dependencies"]:
        for spec in entry["pip"] if isinstance(entry, dict) else [entry]:
            if spec.startswith("-"):  # pip options such as -e .
                continue
            requirement = Requirement(spec)
            listed[canonicalize_name(requirement.name)] = requirement

    with open(ROOT / "pyproject.toml", "rb") as f:
        requires_python = SpecifierSet(tomllib.load(f)["project"]["requires-python"])
    assert listed["python"].specifier == requires_python, "environment.yml's python is pyproject's requires-python"
    for name, wanted in pyproject_requirements().items():
        assert name in listed, f"environment.yml lacks {wanted}"
        got = listed[name]
        assert got.specifier == wanted.specifier, (
            f"environment.yml has {name}{got.specifier}, pyproject.toml {name}{wanted.specifier}"
        )
        assert got.marker == wanted.marker, f"{name}: markers differ ({got.marker} vs {wanted.marker})"
    for tool in DEV_TOOLS:
        assert tool in listed, f"environment.yml lacks the dev tool {tool}"


@pytest.mark.parametrize("python", PYTHONS)
def test_lock_satisfies_pyproject(python):
    pins = lock_pins(python)
    environment = environment_of(python)
    for name, wanted in pyproject_requirements().items():
        if wanted.marker is not None and not wanted.marker.evaluate(environment):
            assert name not in pins, f"requirements.lock pins {name} on Python {python}, outside its {wanted.marker}"
            continue  # e.g. tomli, only below Python 3.11
        assert name in pins, f"requirements.lock does not pin {wanted} for Python {python}"
        assert wanted.specifier.contains(pins[name], prereleases=True), (
            f"requirements.lock pins {name}=={pins[name]} for Python {python}, outside pyproject's {wanted}"
        )
    for tool in DEV_TOOLS:
        assert tool in pins, f"requirements.lock lacks the dev tool {tool} for Python {python}"
    assert "two-layer-net-course" not in pins, "the lock must not pin the project itself"


@pytest.mark.parametrize("extra", LOCK_TOOL.EXTRA_LOCKS)
@pytest.mark.parametrize("python", PYTHONS)
def test_extra_lock_pins_its_extra_on_top_of_the_lock(python, extra):
    """requirements-cluster.lock adds the Dask extra's packages, requirements-docs.lock MkDocs's,
    and neither changes a pin of the main lock (make setup installs all; students and the
    Gradescope bundle get the main one only)."""
    lock = LOCK_TOOL.EXTRA_LOCKS[extra][0]
    main = lock_pins(python)
    added = lock_pins(python, lock.name)
    assert not set(main) & set(added), f"both locks pin {sorted(set(main) & set(added))}"
    for name, wanted in pyproject_requirements(extra).items():
        assert name in added, f"{lock.name} does not pin {wanted} for Python {python}"
        assert wanted.specifier.contains(added[name], prereleases=True), f"{name}=={added[name]} is outside {wanted}"
    header = lock.read_text().split("\n")[4]
    assert re.findall(r"(\d+\.\d+)\.\d+", header) == list(PYTHONS), f"not resolved on {PYTHONS}: make lock"


@pytest.mark.parametrize("python", PYTHONS)
def test_the_extra_locks_agree_where_both_pin_a_package(python):
    """make setup installs every lock at once: a package two extras need is pinned alike."""
    pins = [lock_pins(python, lock.name) for lock, _ in LOCK_TOOL.EXTRA_LOCKS.values()]
    for i, first in enumerate(pins):
        for second in pins[i + 1 :]:
            differ = {n: (first[n], second[n]) for n in set(first) & set(second) if first[n] != second[n]}
            assert not differ, f"the extra locks pin differently on Python {python}: {differ}"


def test_lock_was_resolved_on_every_supported_python():
    header = (ROOT / "requirements.lock").read_text().split("\n# other platforms")[0]
    resolved = re.findall(r"\b(3\.\d+)\.\d+\b", header.split("Resolved on", 1)[-1])
    assert tuple(resolved) == PYTHONS, f"requirements.lock was resolved on {resolved}, not {PYTHONS}: make lock"
    assert LOCK_TOOL.lock_path(f"{sys.version_info.major}.{sys.version_info.minor}") == ROOT / "requirements.lock"
    with pytest.raises(ValueError, match="make lock"):
        LOCK_TOOL.lock_path("3.9")


def test_supported_pythons_are_stated_alike_everywhere():
    """README, pyproject's requires-python (and so environment.yml's python) name the versions of
    tools/lock.py's PYTHONS, and no others."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        requires_python = SpecifierSet(tomllib.load(f)["project"]["requires-python"])
    candidates = [f"3.{minor}" for minor in range(6, 20)]
    allowed = tuple(v for v in candidates if requires_python.contains(f"{v}.0"))
    assert allowed == PYTHONS, f"pyproject's requires-python {requires_python} admits {allowed}, the lock {PYTHONS}"
    claim = f"Python {PYTHONS[0]} to {PYTHONS[-1]}"
    readme = (ROOT / "README.md").read_text()
    assert claim in readme, f"the README states the supported Pythons as {claim!r}"
    assert not re.search(r"Python ?(≥|>=) ?3", readme), "the README claims an open range of Pythons"


# --------------------------------------------------------------------------------------------
# Points and grade cells
# --------------------------------------------------------------------------------------------


def test_points_add_up_to_100():
    assert sum(points().values()) == 100


def test_points_equal_the_notebook_metadata(source_cells):
    in_notebook = {
        gid: cell.metadata.nbgrader["points"]
        for gid, cell in source_cells.items()
        if cell.metadata.nbgrader.get("grade")
    }
    assert set(in_notebook) == set(points()), (
        "the grade cells of the notebook and the [points] of assignment.toml differ: "
        f"only in the notebook {sorted(set(in_notebook) - set(points()))}, "
        f"only in assignment.toml {sorted(set(points()) - set(in_notebook))}"
    )
    for gid, pts in points().items():
        assert in_notebook[gid] == pts, f"{gid}: {in_notebook[gid]} points in the notebook, {pts} in assignment.toml"


def test_every_grade_cell_belongs_to_an_item():
    graded = {cell for item in items.ITEMS for cell in item.test_cells} | set(items.MANUAL_ITEMS)
    assert graded == set(points())


def _metadata(cell) -> dict:
    return dict(cell.metadata.nbgrader)


@pytest.mark.parametrize("item", items.ITEMS, ids=lambda item: item.name)
def test_item_cells_exist_with_the_right_metadata(item, source_cells):
    assert item.name in source_cells, f"no answer cell with grade_id {item.name!r}"
    answer = source_cells[item.name]
    meta = _metadata(answer)
    assert answer.cell_type == item.kind
    assert meta["solution"] is True and meta["locked"] is False, f"{item.name} is a student's answer cell"
    assert "BEGIN SOLUTION" in answer.source and "END SOLUTION" in answer.source
    if item.kind == "markdown":  # graded by hand
        assert meta["grade"] is True and meta["points"] == points()[item.name]
    else:  # graded by its test cells
        assert meta["grade"] is False

    order = list(source_cells)
    previous = order.index(item.name)
    for test_id in item.test_cells:
        assert test_id in source_cells, f"no test cell with grade_id {test_id!r}"
        test = source_cells[test_id]
        meta = _metadata(test)
        assert test.cell_type == "code"
        assert meta["grade"] is True and meta["locked"] is True and meta["solution"] is False
        assert meta["points"] == points()[test_id]
        hidden = "BEGIN HIDDEN TESTS" in test.source
        assert hidden == test_id.endswith("_hidden"), f"{test_id}: hidden tests iff it is a _hidden cell"
        if hidden:
            assert "END HIDDEN TESTS" in test.source and "check_hidden" in test.source
        assert order.index(test_id) > previous, f"{test_id} comes after {item.name} and the tests before it"
        previous = order.index(test_id)


def test_items_in_the_order_students_meet_them(source_cells):
    order = list(source_cells)
    positions = [order.index(item.name) for item in items.ITEMS]
    assert positions == sorted(positions)


def test_only_answer_cells_are_editable(source_cells):
    answers = {item.name for item in items.ITEMS}
    for gid, cell in source_cells.items():
        meta = _metadata(cell)
        if gid in answers:
            continue
        assert meta["locked"] is True and meta["solution"] is False, f"{gid} should be read-only"
        assert "BEGIN SOLUTION" not in cell.source


def _defined_names(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


@pytest.mark.parametrize("item", [i for i in items.ITEMS if i.kind == "code"], ids=lambda i: i.name)
def test_answer_cell_defines_its_name(item, source_cells):
    assert item.defines, f"{item.name}: a code item names what its cell defines"
    assert item.defines in _defined_names(source_cells[item.name].source), (
        f"the answer cell {item.name!r} does not define {item.defines!r} at its top level"
    )
