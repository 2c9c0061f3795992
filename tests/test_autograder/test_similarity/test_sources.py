"""autograder/similarity/sources.py: answer cells from notebooks and .py files; whatever cannot
be read is skipped with the reason, never an exception."""

from __future__ import annotations

import json

import corpus
from autograder.similarity.sources import (
    COMPARED,
    WRITTEN_ANSWERS,
    Skipped,
    Source,
    label_of,
    read_source,
    split_python,
)


def notebook(tmp_path, name="ann", answers=None, solved=True):
    return corpus.write_submission(tmp_path / name / "two_layer_net" / "two_layer_net.ipynb", answers, solved=solved)


def test_a_notebook_gives_its_answer_cells(tmp_path):
    path = notebook(tmp_path)
    source = read_source(path, "ann", False)
    assert isinstance(source, Source)
    assert set(source.cells) == set(COMPARED + WRITTEN_ANSWERS)  # the written answers are compared as text
    assert source.cells["relu_forward"].strip() == corpus.ANSWERS["relu_forward"].strip()


def test_a_missing_cell_is_noted_and_the_others_are_read(tmp_path):
    path = notebook(tmp_path)
    nb = json.loads(path.read_text())
    nb["cells"] = [c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") != "svm_loss"]
    path.write_text(json.dumps(nb))
    source = read_source(path, "ann", False)
    assert "svm_loss" not in source.cells and "missing" in source.notes["svm_loss"]
    assert "softmax_loss" in source.cells


def test_unreadable_inputs_are_skipped_with_the_reason(tmp_path):
    cases = {
        "binary.ipynb": (b"\x00\x89PNG\x01\x02" * 50, "binary"),
        "broken.ipynb": (b'{"cells": [ not json', "not a valid notebook"),
        "list.ipynb": (b"[1, 2, 3]", "not a valid notebook"),
        "latin1.py": ("def affine_forward(x, w, b):\n    return 'caf\xe9'\n".encode("latin-1"), "not UTF-8"),
        "junk.py": (b"\x00\x00\x00", "binary"),
        "nothing.py": (b"import numpy as np\nprint(1)\n", "defines none of the answer cells"),
    }
    for name, (data, reason) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        skipped = read_source(path, name, name.endswith(".py"))
        assert isinstance(skipped, Skipped), name
        assert reason in skipped.reason, (name, skipped.reason)


def test_a_notebook_without_any_answer_cell_is_skipped(tmp_path):
    path = notebook(tmp_path)
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        cell.get("metadata", {}).pop("nbgrader", None)
    path.write_text(json.dumps(nb))
    assert "none of the answer cells" in read_source(path, "ann", False).reason


def test_a_python_file_is_cut_at_the_items_definitions():
    source = corpus.HELPERS["affine_forward"] + "\nimport numpy as np\n" + corpus.HELPERS["softmax_loss"]
    cells = split_python(source)
    assert list(cells) == ["affine_forward", "softmax_loss"]
    assert "def as_rows" in cells["affine_forward"]  # a helper goes with the definition after it
    assert "def log_softmax" in cells["softmax_loss"] and "import numpy" in cells["softmax_loss"]
    assert "".join(cells.values()) == source


def test_a_python_file_that_does_not_parse_is_still_cut():
    source = "def relu_forward(x):\n    return x * (x > 0\n\ndef relu_backward(dout, cache):\n    return dout\n"
    assert list(split_python(source)) == ["relu_forward", "relu_backward"]


def test_labels_are_the_students_of_nbgraders_layout_or_paths(tmp_path):
    path = notebook(tmp_path, "zoe")
    assert label_of(path, tmp_path, False) == "zoe"
    flat = tmp_path / "flat" / "bob.ipynb"
    assert label_of(flat, tmp_path / "flat", False) == "bob"
    assert label_of(tmp_path / "k" / "2024" / "sol.py", tmp_path / "k", True) == "known: 2024/sol.py"
