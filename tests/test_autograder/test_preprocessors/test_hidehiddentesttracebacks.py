"""HideHiddenTestTracebacks (autograder/nbgrader/preprocessors/hidehiddentesttracebacks.py)."""

from nbformat.v4 import new_code_cell, new_notebook, new_output

from autograder.nbgrader.preprocessors import HideHiddenTestTracebacks


def _error():
    return new_output(
        "error",
        ename="HiddenChecksFailed",
        evalue="svm_loss: the margin misses its delta",
        traceback=[
            "Traceback (most recent call last)",
            "  check_hidden('svm_loss')  # hidden line",
            "HiddenChecksFailed: svm_loss: the margin misses its delta",
        ],
    )


def test_errors_of_hidden_test_cells_keep_only_their_message():
    hidden = new_code_cell(
        "self_check('svm_loss')\n### BEGIN HIDDEN TESTS\ncheck_hidden('svm_loss')\n### END HIDDEN TESTS",
        outputs=[new_output("stream", text="ok\n"), _error()],
    )
    visible = new_code_cell("self_check('svm_loss')", outputs=[_error()])
    nb, _ = HideHiddenTestTracebacks().preprocess(new_notebook(cells=[hidden, visible]), {})
    assert nb.cells[0].outputs[1].traceback == ["HiddenChecksFailed: svm_loss: the margin misses its delta"]
    assert nb.cells[0].outputs[0].text == "ok\n"
    assert len(nb.cells[1].outputs[0].traceback) == 3  # a visible test's traceback stays
