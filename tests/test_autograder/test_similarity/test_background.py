"""autograder/similarity/background.py: the corpus of public solutions that ships with the course
is the real set's authors (tests/files/similarity/real); it counts each hash once per document."""

from __future__ import annotations

import numpy as np

import corpus_similarity
from autograder.similarity import background


def test_the_shipped_background_is_the_real_sets_authors():
    shipped, built = background.shipped(), corpus_similarity.real_background(corpus_similarity.real_authors())
    assert shipped.documents == built.documents and shipped.size == len(corpus_similarity.real_authors())
    for item in built.keys:
        assert np.array_equal(shipped.keys[item], built.keys[item])
        assert np.array_equal(shipped.counts[item], built.counts[item])


def test_a_hash_counts_once_per_document_and_the_file_reads_back(tmp_path):
    built = background.build(
        [{"svm_loss": np.array([5, 5, 9])}, {"svm_loss": np.array([9]), "relu_forward": np.array([1])}, {}]
    )
    assert built.count("svm_loss", np.array([9, 5, 7])).tolist() == [2, 1, 0]
    assert built.count("solver", np.array([9])).tolist() == [0] and built.documents == {
        "relu_forward": 1,
        "svm_loss": 2,
    }
    background.save(built, tmp_path / "b.npz")
    again = background.load(tmp_path / "b.npz")
    assert again.documents == built.documents and again.count("svm_loss", np.array([9])).tolist() == [2]
