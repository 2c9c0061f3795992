"""What nbgrader makes of the launcher's record after the execution (autograder/nbgrader/kernel/verdicts.py)."""

import types

import nbformat
import pytest
from nbgrader.utils import determine_grade

from autograder.nbgrader.kernel import verdicts


def test_test_cells_fail_unless_the_grader_passed_them(tmp_path):
    def cell(gid, source, outputs=()):
        return nbformat.v4.new_code_cell(
            source, metadata={"nbgrader": {"grade": True, "grade_id": gid, "points": 1}}, outputs=list(outputs)
        )

    def error():
        return nbformat.v4.new_output("error", ename="E", evalue="", traceback=[])

    stream = nbformat.v4.new_output("stream", text="x: all hidden checks passed\n")
    nb = nbformat.v4.new_notebook(
        cells=[
            cell("passed", 'check_hidden("svm_loss")', [stream]),
            cell("faked", 'check_hidden("softmax_loss")', [stream]),
            cell("failed", 'check_hidden("relu_forward")', [error()]),
            cell("visible", "assert True", []),
            cell("self_check passed", 'self_check("svm_loss", globals())', []),
            cell("self_check failed in the grader", 'self_check("softmax_loss", globals())', []),
            cell("self_check never graded", 'self_check("relu_backward", globals())', []),
            cell("self_check failed here", 'self_check("relu_forward", globals())', [error()]),
        ]
    )
    km = types.SimpleNamespace(connection_file=str(tmp_path / "kernel-1.json"), ip=str(tmp_path / "ipc" / "kernel"))
    (tmp_path / "ipc").mkdir()
    state = verdicts.state_path(km.connection_file, km.ip)
    verdicts.write_state(
        state,
        {
            "sandboxed": True,
            "cwd": str(tmp_path / "ipc"),
            "cgroups": [],
            "verdicts": {"svm_loss": True, "softmax_loss": False},
            "visible": {"svm_loss": True, "softmax_loss": False, "relu_forward": True},
        },
    )
    verdicts.after_execution(km, nb, {})
    errors = [[o.ename for o in c.outputs if o.output_type == "error"] for c in nb.cells]
    # the last cell failed in the kernel, yet the grader passed it: the grader's verdict counts
    assert errors == [[], ["HiddenChecksFailed"], ["E"], [], [], ["ChecksFailed"], ["ChecksFailed"], []]
    messages = [o.evalue for c in nb.cells for o in c.outputs if o.output_type == "error" and o.ename == "ChecksFailed"]
    assert "fail when the grader runs your answer cells" in messages[0]
    assert "could not confirm these checks" in messages[1]
    assert [determine_grade(c)[0] for c in nb.cells] == [1, 0, 0, 1, 1, 0, 0, 1]
    assert "E: " in nb.cells[-1].outputs[0].text  # what the kernel said stays, as text
    assert not state.exists()


def test_each_test_cell_gets_the_points_the_grader_computed(tmp_path):
    """Partial credit: nbgrader reads a test cell's value as its points, and the value is the
    grader's, whatever the kernel printed, raised or returned."""

    def cell(gid, source, points, outputs):
        return nbformat.v4.new_code_cell(
            source, metadata={"nbgrader": {"grade": True, "grade_id": gid, "points": points}}, outputs=outputs
        )

    error = nbformat.v4.new_output("error", ename="CheckFailed", evalue="1 of 3 checks failed", traceback=[])
    warned = nbformat.v4.new_output("stream", name="stderr", text="RuntimeWarning: overflow\n")
    claimed = nbformat.v4.new_output("execute_result", data={"text/plain": "6.0"})
    nb = nbformat.v4.new_notebook(
        cells=[
            cell("softmax_loss_check", 'self_check("softmax_loss", globals())', 4, [warned, error]),
            cell("softmax_loss_hidden", 'check_hidden("softmax_loss")', 6, [claimed]),
            cell("svm_loss_hidden", 'check_hidden("svm_loss")', 5, [claimed]),
            cell("two_layer_net_check", 'self_check("two_layer_net", globals())', 8, []),
        ]
    )
    km = types.SimpleNamespace(connection_file=str(tmp_path / "kernel-1.json"), ip=str(tmp_path / "kernel"))
    points = {
        "verdicts": {"softmax_loss": 5.14, "svm_loss": 0.0},
        "visible": {"softmax_loss": 2.67, "two_layer_net": 8},
    }
    verdicts.write_state(
        verdicts.state_path(km.connection_file, km.ip),
        {
            "sandboxed": True,
            "verdicts": {"softmax_loss": False, "svm_loss": False},
            "visible": {"softmax_loss": False, "two_layer_net": True},
            "points": points,
        },
    )
    verdicts.after_execution(km, nb, {})
    assert [determine_grade(c)[0] for c in nb.cells] == [2.67, 5.14, 0, 8]
    check = nb.cells[0]
    assert [o.output_type for o in check.outputs] == ["stream", "stream", "stream", "execute_result"]
    assert "The grader gives this cell 2.67 of 4 points." in check.outputs[2].text
    assert [o.ename for o in nb.cells[2].outputs if o.output_type == "error"] == ["HiddenChecksFailed"]


def _one_hidden_cell(tmp_path, state):
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                'check_hidden("svm_loss")',
                metadata={"nbgrader": {"grade": True, "grade_id": "h", "points": 1}},
                outputs=[nbformat.v4.new_output("stream", text="svm_loss: all hidden checks passed\n")],
            )
        ]
    )
    km = types.SimpleNamespace(connection_file=str(tmp_path / "kernel-1.json"), ip=str(tmp_path / "kernel"))
    verdicts.write_state(verdicts.state_path(km.connection_file, km.ip), state)
    return nb, km


def test_a_run_without_a_sandbox_by_choice_is_checked_all_the_same_and_recorded(tmp_path):
    """Without a sandbox (the instructor's choice) the grader outside still gives every verdict:
    a check_hidden replaced in the kernel gains nothing; the notebook's metadata says how it ran."""
    nb, km = _one_hidden_cell(tmp_path, {"sandboxed": False, "containment": "NONE: no sandbox, chosen by X"})
    verdicts.after_execution(km, nb, {})
    assert [o.ename for o in nb.cells[0].outputs if o.output_type == "error"] == ["HiddenChecksFailed"]
    assert nb.metadata[verdicts.METADATA_KEY] == {"sandbox": "NONE: no sandbox, chosen by X", "sandboxed": False}


def test_a_notebook_the_launcher_refused_is_not_graded(tmp_path):
    nb, km = _one_hidden_cell(tmp_path, {"sandboxed": False, "refused": "bwrap refused", "fix": "install it"})
    with pytest.raises(
        verdicts.NotGraded, match="not the student's doing.*none of its code ran: bwrap refused.*install it"
    ):
        verdicts.after_execution(km, nb, {})


def test_a_notebook_whose_grader_failed_is_not_graded(tmp_path):
    state = {
        "sandboxed": True,
        "verdicts": {"svm_loss": False},
        "grader_failure": "svm_loss: the sandbox did not start",
    }
    nb, km = _one_hidden_cell(tmp_path, state)
    with pytest.raises(verdicts.NotGraded, match="grader failed on this notebook's hidden checks: svm_loss"):
        verdicts.after_execution(km, nb, {})
