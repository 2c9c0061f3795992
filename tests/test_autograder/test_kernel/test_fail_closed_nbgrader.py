"""`nbgrader autograde` fails closed (issue 20), on a real course folder.

A bubblewrap that passes its quick probe and then refuses every sandbox (a host that starts
refusing user namespaces): the notebook is not executed at all, nbgrader reports it failed (no
autograded copy, no score: the gradebook shows it ungraded), and its log names the reason and the
fix. Without a sandbox by the instructor's choice, a notebook that replaces ``self_check`` and
``check_hidden`` with no-ops still gains nothing, and the autograded notebook records how it ran.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

import corpus
from autograder.nbgrader.course import Course
from autograder.sandbox import policy
from hosts import isolation

pytestmark = pytest.mark.slow
REFUSING_BWRAP = (
    '#!/bin/sh\nfor a in "$@"; do last=$a; done\n'
    f'if [ "$last" = /bin/true ]; then exec {shutil.which("bwrap")} "$@"; fi\n'
    'echo "bwrap: setting up uid map: Permission denied" >&2\nexit 1\n'
)
# The affine_forward answer returns zeros, and replaces the checks of the notebook with no-ops.
CHEAT = (
    "def affine_forward(x, w, b):\n"
    "    return np.zeros((x.shape[0], w.shape[1])), (x, w, b)\n\n"
    "def self_check(*args, **kwargs):\n    print('all checks passed')\n\n"
    "def check_hidden(*args, **kwargs):\n    print('all hidden checks passed')\n"
)


@pytest.fixture(scope="module")
def course():
    base = Path(tempfile.mkdtemp(prefix="tln-failclosed-", dir="/tmp"))
    os.chmod(base, 0o711)  # reachable by a sandbox user of its own (without bubblewrap)
    course = Course(base / "course", cell_timeout=120).create()
    yield course
    shutil.rmtree(base, ignore_errors=True)


def autograde(course: Course, student: str, env: dict[str, str]) -> str:
    """`nbgrader autograde` of one student with more environment; the log of that run."""
    run = Course(course.root, cell_timeout=120, env=env)
    start = course.log.stat().st_size if course.log.exists() else 0
    run.nbgrader("autograde", "two_layer_net", "--force", f"--student={student}", check=False)
    return course.log.read_text()[start:]


@pytest.mark.skipif(isolation() != "bubblewrap", reason="bubblewrap does not work on this machine")
def test_a_sandbox_that_does_not_start_leaves_the_notebook_not_run_and_not_graded(course, tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "bwrap").write_text(REFUSING_BWRAP)
    (fake / "bwrap").chmod(0o755)
    marker = course.root / "RAN"  # where only code outside the sandbox could write
    answers = {"affine_forward": f"open({str(marker)!r}, 'w').write('ran')\n" + corpus.ANSWERS["affine_forward"]}
    course.submit("ann", corpus.write_submission(tmp_path / "two_layer_net.ipynb", answers))
    said = autograde(course, "ann", {"PATH": f"{fake}:{os.environ['PATH']}"})
    assert not marker.exists()
    assert "NOT GRADED, and not the student's doing" in said and "setting up uid map" in said
    assert not (course.root / "autograded" / "ann" / "two_layer_net" / "two_layer_net.ipynb").exists()
    result = course.results()["ann"]
    assert result.status == "ungraded" and result.reason.startswith("not graded: the sandbox could not start")


def test_without_a_sandbox_by_choice_replacing_the_checks_gains_nothing(course, tmp_path):
    """The issue's case: a notebook that replaced self_check and check_hidden with no-ops kept the
    3 points of affine_forward_check while its affine_forward returned zeros. The launcher runs
    even without a sandbox, so the grader outside gives every verdict."""
    course.submit("eve", corpus.write_submission(tmp_path / "two_layer_net.ipynb", {"affine_forward": CHEAT}))
    said = autograde(course, "eve", {policy.MODE_ENV: "none"})
    assert "WITHOUT a sandbox" in said
    nb = nbformat.read(course.root / "autograded" / "eve" / "two_layer_net" / "two_layer_net.ipynb", as_version=4)
    assert nb.metadata["two_layer_net"] == {
        "sandbox": "NONE: no sandbox, chosen by AUTOGRADER_SANDBOX=none",
        "sandboxed": False,
    }
    cells = {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")}
    for grade_id in ("affine_forward_check", "affine_forward_hidden"):
        assert [o for o in cells[grade_id].outputs if o.output_type == "error"], f"{grade_id} passed, cheated"
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}") as gb:
        graded = gb.find_submission_notebook("two_layer_net", "two_layer_net", "eve")
        points = {g.name: g.auto_score for g in graded.grades}
    assert points["affine_forward_check"] == points["affine_forward_hidden"] == 0
    assert points["relu_forward_check"] == 2  # the grader's verdicts, not the kernel's: honest items pass


# --------------------------------------------------------------------------------------------
# Contained every time, on a loaded machine
# --------------------------------------------------------------------------------------------

ATTACK = """
import json
hits = {}
for path in TARGETS["write"]:
    try:
        with open(path, "a") as f:
            f.write("pwned")
        hits[path] = "written"
    except OSError as exc:
        hits[path] = type(exc).__name__
for path in TARGETS["read"]:
    try:
        hits[path] = "read " + str(len(open(path, "rb").read()))
    except OSError as exc:
        hits[path] = type(exc).__name__
print("ATTACK", json.dumps(hits))
answer = 42
"""


def _mini_course(root: Path) -> Course:
    """A course with one assignment of one answer cell and one test cell: the least nbgrader runs."""
    cells = [
        nbformat.v4.new_code_cell(
            "### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION",
            id="answer",
            metadata={
                "nbgrader": {
                    "grade": False,
                    "grade_id": "answer",
                    "locked": False,
                    "schema_version": 3,
                    "solution": True,
                    "task": False,
                }
            },
        ),
        nbformat.v4.new_code_cell(
            "assert answer == 42",
            id="check",
            metadata={
                "nbgrader": {
                    "grade": True,
                    "grade_id": "check",
                    "locked": True,
                    "points": 1,
                    "schema_version": 3,
                    "solution": False,
                    "task": False,
                }
            },
        ),
    ]
    nb = nbformat.v4.new_notebook(
        cells=cells, metadata={"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
    )
    (root / "source" / "mini").mkdir(parents=True)
    nbformat.write(nb, root / "source" / "mini" / "mini.ipynb")
    config = (Path(__file__).resolve().parents[3] / "nbgrader_config.py").read_text()
    (root / "nbgrader_config.py").write_text(config.replace('{"two_layer_net": []}', '{"mini": []}'))
    course = Course(root, cell_timeout=60)
    course.nbgrader("generate_assignment", "mini", "--force")
    return course


@pytest.mark.alone  # it makes the load itself
@pytest.mark.skipif(isolation() == "unavailable", reason="no sandbox here")
def test_a_hostile_notebook_is_contained_five_times_in_a_row_on_a_loaded_machine(tmp_path):
    """Both cores busy with other work, five autogrades in a row: contained every time (the
    containment is no longer decided by a probe that a loaded machine can time out)."""
    base = Path(tempfile.mkdtemp(prefix="tln-loaded-", dir="/tmp"))
    os.chmod(base, 0o711)
    course = _mini_course(base / "course")
    host_tmp = Path(tempfile.mkdtemp(prefix="tln-host-"))
    targets = {
        "write": [str(course.root / "gradebook.db"), str(course.root / "nbgrader_config.py"), str(host_tmp / "PWNED")],
        "read": [str(course.root / "source" / "mini" / "mini.ipynb"), str(course.root / "gradebook.db")],
    }
    release = nbformat.read(course.root / "release" / "mini" / "mini.ipynb", as_version=4)
    release.cells[0].source = f"TARGETS = {targets!r}\n" + ATTACK
    folder = course.root / "submitted" / "mallory" / "mini"
    folder.mkdir(parents=True)
    nbformat.write(release, folder / "mini.ipynb")
    config = course.root / "nbgrader_config.py"
    before = config.read_bytes()
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        for run in range(5):
            course.nbgrader("autograde", "mini", "--force", "--student=mallory", check=False)
            graded = nbformat.read(course.root / "autograded" / "mallory" / "mini" / "mini.ipynb", as_version=4)
            said = "".join(o.get("text", "") for o in graded.cells[0].outputs)
            assert "ATTACK" in said and "written" not in said and "read " not in said, f"run {run + 1}: {said}"
            assert graded.metadata["two_layer_net"]["sandboxed"] is True, f"run {run + 1}"
            assert config.read_bytes() == before and not (host_tmp / "PWNED").exists()
            assert b"pwned" not in (course.root / "gradebook.db").read_bytes()  # nbgrader's own writes only
    finally:
        for burner in burners:
            burner.kill()
        shutil.rmtree(base, ignore_errors=True)
        shutil.rmtree(host_tmp, ignore_errors=True)
