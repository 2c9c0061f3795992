"""tools/similarity_fingerprints.py and tools/similarity_disguises.py: a folder of answers becomes
fingerprints (and disguised copies of them, and a background corpus) that read back as the
report computes them from the text; the disguises change the code the ways students do and keep
a program Python can run."""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import numpy as np
import pytest

import corpus_similarity
from autograder.similarity import background, written

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tools"))
import similarity_disguises  # noqa: E402 - tools/ is not a package
import similarity_fingerprints  # noqa: E402

ANSWERS = {
    "ann": {
        "softmax_loss": corpus_similarity.text("independent/softmax_loss/02_logsumexp.py"),
        "two_layer_net": corpus_similarity.text("independent/two_layer_net/01_layer_functions.py"),
    },
    "bo": {"svm_loss": corpus_similarity.text("independent/svm_loss/02_double_loop.py")},
}
WRITTEN = "Sigmoid saturates for large inputs. Its gradient is close to zero there, because it is flat."


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    root = tmp_path_factory.mktemp("tool")
    sources, out = root / "sources", root / "out"
    for author, cells in ANSWERS.items():
        (sources / author).mkdir(parents=True)
        for item, text in cells.items():
            (sources / author / f"{item}.py").write_text(text)
    (sources / "ann" / "inline_question_1.md").write_text(WRITTEN)
    (sources / "meta.json").write_text(json.dumps({"ann": {"repository": "ann/cs231n"}}))
    assert similarity_fingerprints.main([str(sources), "--out", str(out), "--background", str(root / "b.npz")]) == 0
    with np.load(out / "fingerprints.npz") as data:
        return similarity_fingerprints.decoded(data), json.loads((out / "sources.json").read_text()), root


def test_the_fingerprints_read_back_as_the_report_computes_them(made):
    answers, record, _ = made
    for author, cells in ANSWERS.items():
        for item, text in cells.items():
            assert np.array_equal(answers[author][item], similarity_fingerprints.code_hashes(text))
    assert np.array_equal(np.unique(answers["ann"]["inline_question_1"]), written.shingles(WRITTEN))
    assert record["authors"] == {"ann": {"repository": "ann/cs231n"}, "bo": {}}
    assert record["settings"] == similarity_fingerprints.settings()


def test_every_author_gets_a_copy_of_each_kind_and_the_background_counts_the_authors(made):
    answers, _, root = made
    for author in ANSWERS:
        for kind in similarity_disguises.KINDS:
            assert set(answers[f"{author}~{kind}"]) == set(answers[author])
    corpus = background.load(root / "b.npz")
    assert corpus.documents == {"inline_question_1": 1, "softmax_loss": 1, "svm_loss": 1, "two_layer_net": 1}


@pytest.mark.parametrize("kind", similarity_disguises.KINDS)
def test_a_disguise_changes_the_text_and_keeps_a_program(kind):
    source = ANSWERS["ann"]["two_layer_net"]
    copy = similarity_disguises.disguise_code(source, kind)
    ast.parse(copy)
    assert copy != source and "#" not in copy  # rewritten through Python's parser: no comment is left
    if kind in ("comments", "combined"):
        assert '"""' not in copy and "Inputs:" not in copy  # the docstrings too
    if kind in ("renamed", "combined"):
        assert "_v0" in copy and "def __init__(self, input_dim" in copy  # the starter's names are kept
    if kind in ("reordered", "combined"):
        assert copy.index("def loss") < copy.index("def __init__")
    if kind in ("dead_code", "combined"):
        assert "debug_steps = 0" in copy


def test_a_written_answer_copy_has_its_sentences_reordered():
    copy = similarity_disguises.disguise_text(WRITTEN)
    assert copy.startswith("its derivative is close to zero there, since it is flat.")
