"""autograder/similarity/engine.py: the inverted index gives the scores of comparing every pair
one by one; a short cell cannot flag a pair alone; reordered functions still match; known
solutions are compared with the class, not with each other."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import corpus
import corpus_similarity
from autograder.course.reference import solution_answers
from autograder.similarity import pipeline
from autograder.similarity.boilerplate import boilerplate, reference_kgrams
from autograder.similarity.engine import CELLS, Index, compare, fingerprint_source, naive_scores
from autograder.similarity.pipeline import run, settings
from autograder.similarity.sources import Source


def source(label: str, cells: dict[str, str], known: bool = False) -> Source:
    return Source(label, Path(f"{label}.ipynb"), known, dict(cells))


def index_of(sources: list[Source], **kw) -> Index:
    return Index([fingerprint_source(s, boilerplate()) for s in sources], reference_kgrams(), settings(**kw))


def variants() -> list[Source]:
    """The corpus's correct variants and the reference: students who share some cells and not others."""
    out = [source("reference", solution_answers())]
    for name, answers in corpus.CORRECT.items():
        out.append(source(name, {**corpus.ANSWERS, **answers}))
    for n, item in enumerate(corpus_similarity.items()):
        for m, rel in enumerate(corpus_similarity.independent(item)[:3]):
            out.append(source(f"set-{n}-{m}", {item: corpus_similarity.text(rel)}))
    return out


def test_the_index_gives_the_scores_of_comparing_every_pair_one_by_one():
    index = index_of(variants())
    n = len(index.inputs)
    for i in range(n):
        reported = {r[1]: r for r in index.row(i)}
        full = np.zeros((len(CELLS), n))
        for t in range(len(CELLS)):
            row = index.shared_with(t, i)
            if row is not None:
                full[t] = row
        for j in range(i + 1, n):
            shared, score = naive_scores(index, i, j)
            wi, wj = index.totals(i, np.array([j]))
            both = (wi[:, 0] > 0) & (wj[:, 0] > 0)
            assert np.allclose(full[:, j] * both, shared)
            if j in reported:
                assert reported[j][3] == pytest.approx(score)
            else:
                assert score < 0.3 + 1e-9  # below the report floor, and not flagged


def test_a_one_line_cell_shared_does_not_flag_a_pair_on_its_own():
    one_line = corpus.ANSWERS["relu_forward"]
    a = source("a", {"relu_forward": one_line, "affine_backward": corpus.EINSUM["affine_backward"]})
    b = source("b", {"relu_forward": one_line, "affine_backward": corpus.OTHER_CACHES["affine_backward"]})
    index = index_of([a, b])
    rows = index.row(0)
    pair = index.pair(rows[0]) if rows else None
    assert pair is None or not pair.flagged
    if pair is not None:
        assert pair.items["relu_forward"].score == pytest.approx(1.0)
        assert not pair.items["relu_forward"].flagged


def test_a_copy_with_its_functions_reordered_is_flagged():
    cell = corpus.HELPERS["softmax_loss"]
    helper, main = cell.split("\n\n\ndef softmax_loss")
    reordered = "def softmax_loss" + main + "\n\n" + helper
    index = index_of([source("a", {"softmax_loss": cell}), source("b", {"softmax_loss": reordered})])
    pair = index.pair(index.row(0)[0])
    assert pair.items["softmax_loss"].score >= 0.9 and pair.flagged


def test_known_solutions_are_compared_with_the_class_only():
    sources = [source("s1", corpus.LOOPS), source("s2", corpus.EINSUM)]
    sources += [source("known: a", corpus.LOOPS, known=True), source("known: b", corpus.LOOPS, known=True)]
    index = index_of(sources)
    assert index.compared_pairs == 1 + 2 * 2
    pairs = compare(index)
    assert ("s1", "known: a") in {(p.a, p.b) for p in pairs}
    assert all(not (p.a.startswith("known") and p.b.startswith("known")) for p in pairs)
    with pytest.raises(ValueError, match="before known"):
        index_of(list(reversed(sources)))


def test_at_most_max_pairs_are_kept_flagged_first():
    sources = [source(f"s{n}", corpus.ANSWERS) for n in range(6)]  # 15 identical pairs
    sources.append(source("other", corpus.HELPERS))
    index = index_of(sources)
    pairs = compare(index, max_pairs=4)
    assert len(pairs) == 4 and all(p.flagged for p in pairs)
    everything = compare(index, max_pairs=100)
    assert len(everything) > 4 and everything[:4] == pairs


def test_regions_are_in_the_original_sources():
    a = corpus_similarity.copies()[0]
    index = index_of(
        [
            source("a", {a.item: corpus_similarity.text(a.copy_of)}),
            source("b", {a.item: corpus_similarity.text(a.file)}),
        ]
    )
    pair = index.pair(index.row(0)[0])
    regions = index.regions(pair)[a.item]
    assert regions.matched_a and regions.matched_b
    for text, spans in (
        (corpus_similarity.text(a.copy_of), regions.matched_a),
        (corpus_similarity.text(a.file), regions.matched_b),
    ):
        for start, end in spans:
            assert 0 <= start < end <= len(text)
            assert "\n\n" not in text[start:end] and '"""' not in text[start:end]


def test_a_run_lists_what_it_skipped_and_goes_on(tmp_path, monkeypatch):
    corpus.write_submission(tmp_path / "ann" / "two_layer_net" / "two_layer_net.ipynb")
    corpus.write_submission(tmp_path / "ben" / "two_layer_net" / "two_layer_net.ipynb", corpus.LOOPS)
    corpus.write_submission(tmp_path / "cy" / "two_layer_net" / "two_layer_net.ipynb", solved=False)
    (tmp_path / "dee" / "two_layer_net").mkdir(parents=True)
    (tmp_path / "dee" / "two_layer_net" / "two_layer_net.ipynb").write_bytes(b"\x00\xff" * 1000)
    report = run(tmp_path, jobs=1)
    assert set(report.entries) == {"ann", "ben"}
    monkeypatch.setattr(pipeline, "IN_PROCESS_BELOW", 0)  # worker processes even for this small class
    in_workers = run(tmp_path, jobs=2)
    assert [(p.a, p.b, p.score, p.regions) for p in in_workers.pairs] == [
        (p.a, p.b, p.score, p.regions) for p in report.pairs
    ]
    reasons = {s.path.parts[-3]: s.reason for s in report.skipped}
    assert "empty" in reasons["cy"] and "binary" in reasons["dee"]
    assert report.pairs[0].flagged
