"""The labelled calibration set of the similarity report (tests/files/similarity, README.md there).

Checks that the set is what its labels say: every file is Python, every item has at least ten
independently written answers, every copy is labelled with the answer it was made from and its
disguises, and every answer of the layer, loss and network items is *correct*: it passes every
visible check of the student library (``twolayer.checks.visible_checks``), run against the
reference answers of the other cells. Every training cell (solver, hyperparameter_search) must
define what its item needs and, run on digits, reach the course's validation accuracy.
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from corpus import ANSWERS
from twolayer.checks.targets import LocalTarget
from twolayer.checks.visible import visible_checks

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

SET = Path(__file__).resolve().parent / "files" / "similarity"
INDEPENDENT = SET / "independent"
COPIES = SET / "copies"
LABELS = SET / "labels.toml"

CHECKED = ["affine_forward", "affine_backward", "relu_forward", "relu_backward", "svm_loss", "softmax_loss"]
CHECKED += ["two_layer_net"]
TRAINING = ["solver", "hyperparameter_search"]
ITEMS = CHECKED + TRAINING
DISGUISES = {"renamed", "comments", "reordered", "reformatted", "dead_code", "combined"}
MIN_INDEPENDENT, MIN_COPIES_PER_ITEM, MIN_COPIES, MIN_PER_DISGUISE = 10, 3, 30, 4

# What each item's cell must leave defined for the next cells (and the grader).
DEFINES = {"solver": {"model", "solver"}, "hyperparameter_search": {"best_model"}}
# The cells an item's checks also call: the reference answers of these run first.
USES = {
    "affine_backward": ["affine_forward"],
    "relu_backward": ["relu_forward"],
    "two_layer_net": ["affine_forward", "affine_backward", "relu_forward", "relu_backward", "softmax_loss"],
}
# Backward passes whose cache layout is not the starter's: their student's own forward pass
# (checks call the forward pass in the namespace for the cache).
FORWARD_OF = {
    "independent/affine_backward/04_dict_cache.py": "independent/affine_forward/05_dict_cache.py",
    "independent/relu_backward/03_mask_cache.py": "independent/relu_forward/07_mask_cache.py",
    "independent/relu_backward/07_output_cache.py": "independent/relu_forward/08_abs_output_cache.py",
}


def labels() -> list[dict]:
    with open(LABELS, "rb") as f:
        return tomllib.load(f)["copy"]


def rel(path: Path) -> str:
    return path.relative_to(SET).as_posix()


def answer_files(kind: Path, items: list[str]) -> list[Path]:
    return sorted(p for item in items for p in (kind / item).glob("*.py"))


def original(path: Path) -> str:
    """The independent file a file is, or was copied from."""
    if path.is_relative_to(INDEPENDENT):
        return rel(path)
    return {entry["file"]: entry["copy_of"] for entry in labels()}.get(rel(path), "")  # unlabelled: see the labels test


ALL_FILES = answer_files(INDEPENDENT, ITEMS) + answer_files(COPIES, ITEMS)


def test_every_item_has_ten_independent_answers_and_three_copies():
    for item in ITEMS:
        assert len(list((INDEPENDENT / item).glob("*.py"))) >= MIN_INDEPENDENT, item
        assert len(list((COPIES / item).glob("*.py"))) >= MIN_COPIES_PER_ITEM, item
    assert {p.name for p in INDEPENDENT.iterdir()} == set(ITEMS)
    assert {p.name for p in COPIES.iterdir()} == set(ITEMS)


@pytest.mark.parametrize("path", ALL_FILES, ids=rel)
def test_every_file_is_python(path: Path):
    ast.parse(path.read_text(), filename=str(path))


def test_labels_list_every_copy_once_and_its_original():
    entries = labels()
    files = [e["file"] for e in entries]
    assert sorted(files) == sorted(rel(p) for p in answer_files(COPIES, ITEMS)), (
        "a copy without a label, or a label without a file"
    )
    assert len(files) == len(set(files)), "a copy labelled twice"
    assert len(files) >= MIN_COPIES
    kinds = Counter()
    for e in entries:
        source = SET / e["copy_of"]
        assert source.is_file(), f"{e['file']}: copy_of {e['copy_of']} does not exist"
        assert Path(e["copy_of"]).parts[:2] == ("independent", Path(e["file"]).parts[1]), f"{e['file']}: other item"
        assert e["disguises"] and set(e["disguises"]) <= DISGUISES, f"{e['file']}: {e['disguises']}"
        assert source.read_text() != (SET / e["file"]).read_text(), f"{e['file']} is not disguised"
        kinds.update(e["disguises"])
    assert all(kinds[k] >= MIN_PER_DISGUISE for k in DISGUISES), kinds


@pytest.mark.parametrize("path", [p for p in ALL_FILES if p.parent.name in DEFINES], ids=rel)
def test_training_cells_define_what_their_item_needs(path: Path):
    tree = ast.parse(path.read_text())
    assigned = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
    assert DEFINES[path.parent.name] <= assigned
    called = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert {"Solver", "TwoLayerNet"} <= called, "trains a TwoLayerNet with the course's Solver"


# What a training cell leaves for the grader, and the validation accuracy the course asks of it.
TRAINED = {"solver": ("model", "solver_val_acc"), "hyperparameter_search": ("best_model", "search_val_acc")}


@pytest.fixture(scope="module")
def digits_notebook() -> dict:
    """The namespace a training cell runs in: the notebook's set-up on digits and the reference answers."""
    from twolayer.config import thresholds
    from twolayer.data import load_dataset
    from twolayer.solver import Solver

    data = load_dataset("digits")
    ns = {"np": np, "Solver": Solver, "thresholds": lambda: thresholds("digits"), "data": data}
    ns.update(input_dim=int(np.prod(data["image_shape"])), num_classes=len(data["class_names"]))
    for used in USES["two_layer_net"] + ["two_layer_net"]:
        exec(compile(ANSWERS[used], f"<reference {used}>", "exec"), ns)
    return ns


@pytest.mark.parametrize("path", [p for p in ALL_FILES if p.parent.name in TRAINED], ids=rel)
def test_training_cell_reaches_the_courses_validation_accuracy(path: Path, digits_notebook: dict):
    """Run on digits as the notebook runs it (a fresh SearchLog as `search`), with one BLAS thread:
    under a second of CPU each. The grader's own verdicts on every cell are in the README."""
    from twolayer.config import thresholds
    from twolayer.tuning import SearchLog

    name, threshold = TRAINED[path.parent.name]
    ns = {**digits_notebook, "search": SearchLog()}
    np.random.seed(0)
    with threadpool_limits(1):  # BLAS threads only fight over such small matrices
        exec(compile(path.read_text(), str(path), "exec"), ns)
    data, model = ns["data"], ns[name]
    accuracy = np.mean(model.loss(data["X_val"]).argmax(axis=1) == data["y_val"])
    assert accuracy >= thresholds("digits")[threshold], f"{name} reaches {accuracy:.3f} on digits"


def namespace_for(path: Path) -> dict:
    """A notebook namespace: numpy as np, the reference answers of the cells ``path``'s item calls
    (or its student's own forward pass), then ``path``'s cell."""
    item = path.parent.name
    ns: dict = {"np": np}
    for used in USES.get(item, []):
        exec(compile(ANSWERS[used], f"<reference {used}>", "exec"), ns)
    partner = FORWARD_OF.get(original(path))
    if partner:
        exec(compile((SET / partner).read_text(), partner, "exec"), ns)
    exec(compile(path.read_text(), str(path), "exec"), ns)
    return ns


@pytest.mark.parametrize("path", [p for p in ALL_FILES if p.parent.name in CHECKED], ids=rel)
def test_answer_passes_every_visible_check(path: Path):
    np.random.seed(0)
    findings = [f for check in visible_checks(path.parent.name) for f in check.run(LocalTarget(namespace_for(path)))]
    assert findings
    failed = [f.text() for f in findings if not f.passed]
    assert not failed, "\n".join(failed)
