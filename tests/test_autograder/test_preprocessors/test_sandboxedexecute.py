"""SandboxedExecute (autograder/nbgrader/preprocessors/sandboxedexecute.py): nbgrader's Execute in the
sandboxed kernel, then the launcher's verdicts: a hidden test cell that "passed" only because the
kernel's check_hidden was replaced fails."""

import pytest
from nbformat.v4 import new_code_cell, new_notebook
from traitlets.config import Config

from autograder.nbgrader.kernel import ipc, kernelspec
from autograder.nbgrader.preprocessors import SandboxedExecute
from hosts import kernel_sandbox


def _grade_cell(source: str, grade_id: str):
    return new_code_cell(
        source,
        metadata={"nbgrader": {"grade": True, "grade_id": grade_id, "points": 1, "solution": False, "locked": True}},
    )


@pytest.mark.skipif(not kernel_sandbox()[0], reason=f"no sandbox here: {kernel_sandbox()[1]}")
def test_a_faked_hidden_check_fails_after_the_execution(tmp_path):
    kernelspec.ensure_kernelspec()
    config = Config()
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = ipc.ipc_address()
    config.Execute.kernel_name = kernelspec.KERNEL_NAME
    config.Execute.timeout = 60
    nb = new_notebook(
        cells=[
            new_code_cell(
                "import os\nprint(os.getuid())\ncheck_hidden = lambda item: print(item + ': all hidden checks passed')"
            ),
            _grade_cell('check_hidden("svm_loss")', "svm_loss_hidden"),
            _grade_cell("assert 1 + 1 == 2", "plain_test"),
        ]
    )
    nb, _ = SandboxedExecute(config=config).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    assert nb.cells[0].outputs[0].text == "65534\n"  # it ran in the sandbox
    hidden = nb.cells[1].outputs
    assert hidden[0].text == "svm_loss: all hidden checks passed\n"
    assert hidden[-1].output_type == "error" and hidden[-1].ename == "HiddenChecksFailed"
    assert "did not reach the grader" in hidden[-1].evalue
    assert nb.cells[2].outputs == []  # no grader verdict involved


def test_the_verdicts_are_read_even_when_the_execution_fails(monkeypatch):
    from autograder.nbgrader.kernel import verdicts

    calls = []
    monkeypatch.setattr(verdicts, "after_execution", lambda km, nb, resources, log: calls.append((km, nb)))
    nb = new_notebook(cells=[new_code_cell("1")])
    with pytest.raises(Exception, match="no_such_kernel"):
        SandboxedExecute(kernel_name="no_such_kernel").preprocess(nb, {"metadata": {"path": "."}})
    assert len(calls) == 1 and calls[0][1] is nb
