"""twolayer.submit: the zip students upload to Gradescope (the notebook's last cell)."""

from __future__ import annotations

import json
import shutil
import zipfile

import numpy as np
import pytest

import corpus
from autograder.gradescope.submission import find_model, find_notebook
from twolayer import submit as sub


def test_zip_holds_exactly_the_notebook_and_the_model_and_the_grader_finds_them(tmp_path, capsys):
    nb = shutil.copy(corpus.RELEASE, tmp_path / "my work.ipynb")
    np.savez(tmp_path / "best_model.npz", W1=np.ones(2))
    (tmp_path / "notes.txt").write_text("not uploaded")
    out = sub.submit(nb)
    with zipfile.ZipFile(out) as z:
        assert sorted(z.namelist()) == ["best_model.npz", "my work.ipynb"]
        z.extractall(tmp_path / "unpacked")
    assert find_notebook(tmp_path / "unpacked").name == "my work.ipynb"
    assert find_model(tmp_path / "unpacked") is not None
    assert "upload it to Gradescope" in capsys.readouterr().out


def test_without_a_model_it_says_the_grader_will_train(tmp_path, capsys):
    shutil.copy(corpus.RELEASE, tmp_path / "two_layer_net.ipynb")
    assert sub.main([str(tmp_path / "two_layer_net.ipynb")]) == 0
    with zipfile.ZipFile(tmp_path / sub.ZIP_NAME) as z:
        assert z.namelist() == ["two_layer_net.ipynb"]
    assert "will train your search itself" in capsys.readouterr().out


@pytest.mark.parametrize("content", ['{"cells": [', '{"nbformat": 3}', "\xff\xfe"])
def test_a_broken_notebook_on_disk_is_refused_with_what_to_do(tmp_path, capsys, content):
    (tmp_path / "two_layer_net.ipynb").write_text(content, encoding="latin-1")
    assert sub.main([str(tmp_path / "two_layer_net.ipynb")]) == 1
    assert "save it" in capsys.readouterr().err.lower().replace("save the notebook", "save it")
    assert not (tmp_path / sub.ZIP_NAME).exists()


def test_answer_cells_that_differ_from_what_the_kernel_ran_are_named():
    nb = json.loads(corpus.RELEASE.read_text())
    answers = {
        c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"])
        for c in nb["cells"]
        if c["cell_type"] == "code" and c["metadata"].get("nbgrader", {}).get("solution")
    }
    ran = list(answers.values())
    assert sub.unsaved_answers(nb, ran) == []
    ran.remove(answers["softmax_loss"])
    ran.append(answers["softmax_loss"] + "\nprint('edited after saving')")
    assert sub.unsaved_answers(nb, ran) == ["softmax_loss"]


def test_several_notebooks_without_two_layer_net_ask_for_a_name(tmp_path):
    (tmp_path / "a.ipynb").write_text("{}")
    (tmp_path / "b.ipynb").write_text("{}")
    with pytest.raises(sub.SubmitError, match="name the one"):
        sub.find_notebook(tmp_path)


def test_the_instructors_notebook_writes_no_submission_beside_itself(tmp_path, capsys):
    """Running the source notebook to its end (as an instructor checking it does) must not leave a
    zip of the solution in source/, one `make release` away from every student."""
    nb = shutil.copy(corpus.SOURCE, tmp_path / "two_layer_net.ipynb")
    np.savez(tmp_path / "best_model.npz", W1=np.ones(2))
    assert sub.submit(nb) is None
    assert not (tmp_path / sub.ZIP_NAME).exists()
    assert "No zip written: this is the instructor's version of the notebook" in capsys.readouterr().out


def test_nbgrader_running_a_students_notebook_writes_no_zip(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    nb = shutil.copy(corpus.RELEASE, tmp_path / "two_layer_net.ipynb")
    assert sub.submit(nb) is None and not (tmp_path / sub.ZIP_NAME).exists()
    assert "nbgrader is running this notebook (autograde)" in capsys.readouterr().out
