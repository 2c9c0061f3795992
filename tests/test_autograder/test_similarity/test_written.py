"""autograder/similarity/written.py: the inline questions' written answers as words and shingles,
without the release notebook's text; on the real set's written answers, copies are flagged and
independent answers are not (docs/similarity.md)."""

from __future__ import annotations

import numpy as np

import corpus_similarity
from autograder.similarity.boilerplate import boilerplate
from autograder.similarity.written import SHINGLE, shingles, words

MAX_INDEPENDENT_FLAGGED = 0.01
MIN_COPIES_FLAGGED = 0.95


def test_a_written_answer_is_words_and_the_questions_own_wording_does_not_count():
    assert [w.text for w in words("**ReLU** has $\\sigma(x)$ zero-gradient 為負")] == [
        "relu",
        "has",
        "x",
        "zero",
        "gradient",
        "為",
        "負",
    ]
    question = "Which of the following activation functions have this problem"
    quoting = f"{question}? Sigmoid saturates for large inputs."
    release = boilerplate()["inline_question_1"]
    assert np.isin(shingles(question), release).all()
    assert not np.isin(shingles("Sigmoid saturates for large inputs"), release).all()
    assert len(shingles("one two")) == 1 and SHINGLE == 3
    assert len(np.setdiff1d(shingles(quoting), release)) < len(shingles(quoting))


def test_real_written_answers_copied_are_flagged_and_independent_ones_are_not():
    pairs = corpus_similarity.score_written()
    independent, copies = corpus_similarity.rates(pairs)
    assert independent <= MAX_INDEPENDENT_FLAGGED and copies >= MIN_COPIES_FLAGGED
    assert sum(not p.copy for p in pairs) >= 300  # pairs of real authors who answered the same question
