"""The student version (release/two_layer_net) and the course's nbgrader settings.

Fast tests read release/ as committed: no outputs, no solutions, no hidden tests, and no line of
the source's solution regions anywhere in it. Slow ones run the real nbgrader: release/ is what
`make release` gives now, `nbgrader validate` passes the source notebook and fails the release
one, and a small course run through autograde and generate_feedback shows that
nbgrader_config.py does what its comments say.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from autograder.course.release import left_out, release_files
from autograder.nbgrader.course import CONFIG, Course

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = ROOT / "source" / "two_layer_net"
RELEASE_DIR = ROOT / "release" / "two_layer_net"
NOTEBOOK = "two_layer_net.ipynb"


def _load_tool():
    spec = importlib.util.spec_from_file_location("generate_release", ROOT / "tools" / "generate_release.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and friends look modules up by name
    spec.loader.exec_module(module)
    return module


release_tool = _load_tool()

#: Lines of the solution regions that the release may contain all the same, each with its reason.
ALLOWED_SOLUTION_LINES = {
    # The usage example in twolayer/tuning.py's docstring (SearchLog) shows how to train one
    # configuration of a search: documentation of the helper, not the answer (the grid is).
    'solver = Solver(model, data, optim_config={"learning_rate": config["learning_rate"]},',
}
#: Release must not contain any of these anywhere.
FORBIDDEN = (
    "BEGIN SOLUTION",
    "END SOLUTION",
    "BEGIN HIDDEN TESTS",
    "END HIDDEN TESTS",
    "check_hidden",
    "nbgrader_hidden",
)


@pytest.fixture(scope="module")
def release_nb() -> nbformat.NotebookNode:
    path = RELEASE_DIR / NOTEBOOK
    if not path.is_file():
        pytest.fail(f"{path.relative_to(ROOT)} is missing: run `make release`")
    return nbformat.read(path, as_version=4)


def solution_lines() -> set[str]:
    """Every line inside a BEGIN/END SOLUTION region of the source notebook, stripped, that is
    long enough to be distinctive (more than 25 characters)."""
    lines: set[str] = set()
    for cell in nbformat.read(SOURCE_DIR / NOTEBOOK, as_version=4).cells:
        inside = False
        for line in cell.source.splitlines():
            if "BEGIN SOLUTION" in line:
                inside = True
            elif "END SOLUTION" in line:
                inside = False
            elif inside and len(line.strip()) > 25:
                lines.add(line.strip())
    return lines


def grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


# --------------------------------------------------------------------------------------------
# release/ as committed
# --------------------------------------------------------------------------------------------


def test_release_notebook_has_no_outputs(release_nb):
    for cell in release_nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"cell {grade_id(cell)} has outputs"
            assert cell.execution_count is None, f"cell {grade_id(cell)} has an execution count"


def test_release_has_no_solution_or_hidden_test_markers():
    for relative in release_files(RELEASE_DIR):
        data = (RELEASE_DIR / relative).read_bytes()
        for marker in FORBIDDEN:
            assert marker.encode() not in data, f"release/two_layer_net/{relative} contains {marker!r}"


def test_release_has_the_stubs_instead_of_solutions(release_nb):
    source = {grade_id(c): c for c in nbformat.read(SOURCE_DIR / NOTEBOOK, as_version=4).cells}
    assert [grade_id(c) for c in release_nb.cells] == list(source), "same cells, same order"
    for cell in release_nb.cells:
        if "BEGIN SOLUTION" in source[grade_id(cell)].source:
            stub = "raise NotImplementedError()" if cell.cell_type == "code" else "YOUR ANSWER HERE"
            assert stub in cell.source, f"{grade_id(cell)} lacks the stub {stub!r}"


def test_no_release_file_contains_solution_code():
    lines = solution_lines()
    assert len(lines) > 20, "the source notebook's solution regions were found"
    leaks = []
    for relative in release_files(RELEASE_DIR):
        data = (RELEASE_DIR / relative).read_bytes()
        leaks += [f"{relative}: {line}" for line in sorted(lines - ALLOWED_SOLUTION_LINES) if line.encode() in data]
    assert not leaks, "solution code in release/:\n" + "\n".join(leaks)


# --------------------------------------------------------------------------------------------
# With nbgrader
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_release_is_up_to_date(tmp_path):
    fresh = release_tool.generate(tmp_path / "two_layer_net")
    hint = " (run `make release` and commit release/)"
    assert release_files(RELEASE_DIR) == release_files(fresh), (
        "release/two_layer_net has other files than source/ gives" + hint
    )

    want = nbformat.read(fresh / NOTEBOOK, as_version=4)
    have = nbformat.read(RELEASE_DIR / NOTEBOOK, as_version=4)
    assert have.metadata == want.metadata, "notebook metadata differ" + hint
    assert [grade_id(c) for c in have.cells] == [grade_id(c) for c in want.cells], "cells differ" + hint
    for got, expected in zip(have.cells, want.cells, strict=True):
        for key in ("id", "cell_type", "source", "metadata"):
            assert got.get(key) == expected.get(key), f"cell {grade_id(expected)}: {key} differs" + hint
    for relative in release_files(fresh):
        if relative.name != NOTEBOOK:
            assert (RELEASE_DIR / relative).read_bytes() == (fresh / relative).read_bytes(), (
                f"release/two_layer_net/{relative} differs" + hint
            )
    assert not release_tool.differences(fresh, RELEASE_DIR), "notebook JSON differs" + hint


def test_the_release_folder_holds_only_what_students_need():
    """Nothing in release/ but what the allow-list names, tracked or not: a file left there (a
    submission zip made by running the solution) is one `git add release/` away from every student."""
    assert left_out(RELEASE_DIR) == []


@pytest.mark.slow
def test_files_planted_in_source_never_reach_the_release(tmp_path, capsys):
    """What running the solution notebook leaves beside it, a copy of the notebook and an installed
    dataset: all left out of the student version, and named."""
    source = tmp_path / "source"
    shutil.copytree(ROOT / "source" / "two_layer_net", source, ignore=shutil.ignore_patterns("datasets"))
    planted = {
        "two_layer_net_submission.zip": b"PK solution",
        "best_model.npz": b"weights",
        "two_layer_net-Copy1.ipynb": (source / NOTEBOOK).read_bytes(),
        "solution_notes.py": b"W1 = ...",
        "twolayer/datasets/cifar-10-batches-py/data_batch_1": b"images",
        ".ipynb_checkpoints/two_layer_net-checkpoint.ipynb": (source / NOTEBOOK).read_bytes(),
    }
    for name, data in planted.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes(data)
    (source / "twolayer" / "reference.py").symlink_to(source / NOTEBOOK)
    fresh = release_tool.generate(tmp_path / "release", source=source)
    every_file = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file() or p.is_symlink())
    assert every_file == release_files(RELEASE_DIR)
    said = capsys.readouterr().err
    for name in [*planted, "twolayer/reference.py"]:
        assert name in said or name.startswith(".ipynb_checkpoints"), said


def _validate(tmp_path: Path, assignment: Path, *flags: str) -> str:
    """`nbgrader validate` on a copy of ``assignment`` (running it leaves files beside it)."""
    course = Course(tmp_path / "course", env={"TWO_LAYER_NET_DATASET": "digits"})  # about the notebook, not the dataset
    course.create(assignment, generate=False)
    return course.nbgrader("validate", *flags, str(course.root / "source" / "two_layer_net" / NOTEBOOK)).stdout


@pytest.mark.slow
def test_nbgrader_validate_passes_the_source_notebook(tmp_path):
    out = _validate(tmp_path, SOURCE_DIR)
    assert "Success! Your notebook passes all the tests." in out, out


@pytest.mark.slow
def test_nbgrader_validate_invert_on_the_release_notebook(tmp_path, release_nb):
    # `--invert` complains about the grade cells that *pass* and prints "Success! The notebook
    # does not pass any tests." when none does (exit code 0 either way). In the release the
    # hidden-test cells hold only their comment once nbgrader removed the tests, and a test
    # cell that runs without error passes: those must be exactly the cells that pass.
    out = _validate(tmp_path, RELEASE_DIR, "--invert")
    assert "HAVE CHANGED" not in out, out
    hidden = [c for c in release_nb.cells if (grade_id(c) or "").endswith("_hidden")]
    blocks = out.split("The following cell passed:")[1:]
    assert len(blocks) == len(hidden), out
    for block in blocks:
        assert "Hidden checks of" in block, f"a visible test passes on the student version:\n{block}"


# A tiny course that exercises every nbgrader setting the course relies on.
MINI_CELLS = [
    # (grade_id, cell type, nbgrader flags, points, source)
    ("intro", "markdown", "locked", None, "# A tiny assignment"),
    ("answer", "code", "solution", None, "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION"),
    (
        "warns",
        "code",
        "grade",
        1,
        "import warnings\nwarnings.warn('overflow encountered in exp', RuntimeWarning)\nassert f() == 1",
    ),
    (
        "progress_bar",
        "code",
        "grade",
        1,
        "import sys\nsys.stderr.write(' 40%|####      | 4/10 [00:01<00:02, 2.50it/s]\\n')\nassert f() == 1",
    ),
    ("other_stderr", "code", "grade", 1, "import sys\nprint('something odd', file=sys.stderr)"),
    ("format_check", "code", "locked", None, "print('format ok')"),
    (
        "hidden",
        "code",
        "grade",
        2,
        (
            "# Hidden checks of f\n### BEGIN HIDDEN TESTS\nfrom helper import secret_check\n"
            "secret_check(f)\n### END HIDDEN TESTS"
        ),
    ),
    ("uses_helper", "code", "grade", 1, "from helper import ANSWER\nassert ANSWER == 42"),
    ("loops", "code", "grade", 1, "while True:\n    pass"),
    ("after_loop", "code", "grade", 1, "assert f() == 1"),
]
MINI_HELPER = textwrap.dedent("""\
    ANSWER = 42


    def secret_check(f):
        assert f() == 2, "f() should return 2"
    """)


def _mini_course(course: Path) -> None:
    cells = []
    for gid, kind, flag, points, source in MINI_CELLS:
        meta = {
            "grade": flag == "grade",
            "grade_id": gid,
            "locked": flag != "solution",
            "schema_version": 3,
            "solution": flag == "solution",
            "task": False,
        }
        if points is not None:
            meta["points"] = points
        new = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        cells.append(new(source, metadata={"nbgrader": meta}, id=gid.replace("_", "-")))
    nb = nbformat.v4.new_notebook(
        cells=cells, metadata={"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
    )
    folder = course / "source" / "mini"
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / "mini.ipynb")
    (folder / "helper.py").write_text(MINI_HELPER)
    shutil.copy(CONFIG, course / "nbgrader_config.py")
    # The course settings name the two_layer_net assignment in exclude_overwriting.
    config = (course / "nbgrader_config.py").read_text()
    assert 'c.Autograde.exclude_overwriting = {"two_layer_net": []}' in config
    (course / "nbgrader_config.py").write_text(config.replace('{"two_layer_net": []}', '{"mini": []}'))


def _submit(course: Path, student: str) -> None:
    """The release with the answer filled in, a test cell deleted (after a read-only cell that is
    no grade cell: nbgrader 0.9.6's own restoring fails there), one edited and helper.py doctored."""
    nb = nbformat.read(course / "release" / "mini" / "mini.ipynb", as_version=4)
    cells = []
    for cell in nb.cells:
        if grade_id(cell) == "answer":
            cell.source = "def f():\n    return 1"
        elif grade_id(cell) == "uses_helper":
            cell.source = "pass  # edited by the student"
        elif grade_id(cell) == "hidden":
            continue
        cells.append(cell)
    nb.cells = cells
    folder = course / "submitted" / student / "mini"
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / "mini.ipynb")
    (folder / "helper.py").write_text("ANSWER = 0\n\n\ndef secret_check(f):\n    pass\n")


@pytest.mark.slow
def test_nbgrader_config_in_autograde_and_feedback(tmp_path):
    from nbgrader.api import Gradebook

    course = tmp_path / "course"
    _mini_course(course)
    mini = Course(course, cell_timeout=5)  # the infinite loop must stop after 5 s
    mini.nbgrader("generate_assignment", "mini")
    for student in ("alice", "control"):
        _submit(course, student)
    mini.nbgrader("autograde", "mini", "--student", "alice")
    # Control: the same submission with nbgrader's default handling of stderr.
    mini.nbgrader("autograde", "mini", "--student", "control", "--IgnorePattern.enabled=False")
    mini.nbgrader("generate_feedback", "mini", "--student", "alice")

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:

        def scores(student):
            notebook = gb.find_submission_notebook("mini", "mini", student)
            return {g.name: g.auto_score for g in notebook.grades}

        alice, control = scores("alice"), scores("control")

    # A Python warning or a progress bar on stderr does not cost the points (without the
    # setting, they do); other stderr output still fails a cell, as nbgrader intends.
    assert alice["warns"] == 1 and alice["progress_bar"] == 1
    assert control["warns"] == 0 and control["progress_bar"] == 0
    assert alice["other_stderr"] == 0
    # The deleted hidden-test cell was put back in place and ran (and failed: f() is not 2);
    # the edited test cell got its source back; helper.py is the instructor's again.
    graded = nbformat.read(course / "autograded" / "alice" / "mini" / "mini.ipynb", as_version=4)
    ids = [grade_id(c) for c in graded.cells]
    assert ids == [gid for gid, *_ in MINI_CELLS]
    restored = graded.cells[ids.index("hidden")]
    assert any(o.output_type == "error" and "f() should return 2" in o.evalue for o in restored.outputs)
    assert alice["hidden"] == 0
    assert alice["uses_helper"] == 1
    assert (course / "autograded" / "alice" / "mini" / "helper.py").read_text() == MINI_HELPER
    # The execution timeout comes from TWO_LAYER_NET_CELL_TIMEOUT, stops the loop, and the
    # cells after it still run.
    assert alice["loops"] == 0 and alice["after_loop"] == 1

    # The feedback shows the hidden test's message but neither its code nor its traceback.
    html = next((course / "feedback" / "alice" / "mini").glob("*.html")).read_text()
    assert "f() should return 2" in html
    for secret in ("BEGIN HIDDEN TESTS", "secret_check", "from helper import"):
        assert secret not in html, f"the feedback shows {secret!r}"
