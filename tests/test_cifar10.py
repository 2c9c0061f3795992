"""The assignment on real CIFAR-10 (built from ../shared in CI; skipped without it)."""

from __future__ import annotations

import os
import shutil

import pytest

import corpus
from autograder.grading import Options, grade_submission
from twolayer.config import thresholds
from twolayer.data import is_cifar10_installed

pytestmark = [
    pytest.mark.cifar10,
    pytest.mark.slow,
    pytest.mark.skipif(
        not (os.environ.get("CIFAR10_DIR") and is_cifar10_installed(os.environ["CIFAR10_DIR"])),
        reason="CIFAR-10 not installed: set CIFAR10_DIR (CI builds it from ../shared)",
    ),
]


def test_reference_solution_clears_the_cifar10_thresholds_with_margin(tmp_path):
    nb = corpus.write_submission(tmp_path / "ref" / "two_layer_net" / "two_layer_net.ipynb")
    r = grade_submission(nb, Options(dataset="cifar10", seed=5, items=("solver", "hyperparameter_search")))
    assert r.status == "graded" and r.dataset == "cifar10"
    limits = thresholds("cifar10")
    solver, search = r.accuracies["solver"], r.accuracies["hyperparameter_search"]
    print(
        f"CIFAR-10 reference: solver val {solver['val_acc']:.3f} test {solver['test_acc']:.3f}; "
        f"search val {search['val_acc']:.3f} test {search['test_acc']:.3f}"
    )
    assert solver["val_acc"] >= limits["solver_val_acc"] + 0.03
    assert search["val_acc"] >= limits["search_val_acc"] + 0.01
    assert r.score == r.max_score


def test_solved_notebook_runs_top_to_bottom_on_cifar10(tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    folder = tmp_path / "two_layer_net"
    shutil.copytree(corpus.RELEASE.parent, folder, ignore=shutil.ignore_patterns("__pycache__", "datasets"))
    path = corpus.write_submission(folder / "two_layer_net.ipynb")
    monkeypatch.setenv("TWO_LAYER_NET_DATASET", "cifar10")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=1200, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "Dataset: cifar10" in text and "X_train: (49000, 3, 32, 32)" in text
    assert "best_model val accuracy" in text
    assert (folder / "best_model.npz").exists()
