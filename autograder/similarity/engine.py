"""The comparison: an inverted index of fingerprints, so that only pairs that share a
fingerprint are ever compared.

For each answer cell, every fingerprint that counts (``calibration.weights``) has the list of
inputs that have it. Submission ``i`` is compared with every later input at once: the postings
of its fingerprints are summed per input (``numpy.bincount``), which gives the shared weight with
every other input in one step, and the scores follow for the whole row. A row keeps only the
pairs worth reporting, so memory grows with the class and the number of reported pairs, never
with the number of pairs.

Pairs of two known solutions are not compared: the report is about the class.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from . import calibration
from .background import Background
from .fingerprints import Fingerprints, fingerprint
from .results import Entry, ItemScore, PairResult, Regions, Settings, ratio
from .sources import COMPARED, Source
from .tokens import normalise
from .written import WRITTEN, fingerprint_text

#: The rows of the index: the answer cells (code), then the written answers.
CELLS = COMPARED + WRITTEN
CODE = len(COMPARED)

EMPTY = "empty: only the release notebook's starter code (or nothing)"


@dataclass
class Fingerprinted:
    """An input's cells and their fingerprints, boilerplate removed."""

    entry: Entry
    prints: dict[str, Fingerprints] = field(default_factory=dict)


def fingerprint_source(source: Source, boilerplate: dict[str, np.ndarray]) -> Fingerprinted:
    """Fingerprint every answer cell of ``source``; a cell with nothing but boilerplate is noted
    as empty and not compared."""
    notes = dict(source.notes)
    prints: dict[str, Fingerprints] = {}
    for item, text in source.cells.items():
        fp = fingerprint_text(text) if item in WRITTEN else fingerprint(normalise(text))
        fp = fp.without(boilerplate.get(item, np.zeros(0, np.int64)))
        if len(fp.chosen):
            prints[item] = fp
        else:
            notes[item] = EMPTY
    entry = Entry(source.label, source.path, source.known, dict(source.cells), notes)
    return Fingerprinted(entry, prints)


class Index:
    """Fingerprint -> inputs, per answer cell, with the weights of ``calibration``.

    Per cell, the fingerprints that count get ids; each input has the array of its ids, and the
    postings (the inputs of every id) are one array cut by ``indptr``, as a sparse matrix is.
    Every id has two weights: between two submissions, and between a submission and a known
    solution (which is not counted among the public solutions that make a fingerprint common)."""

    def __init__(
        self,
        inputs: list[Fingerprinted],
        reference: dict[str, np.ndarray],
        settings: Settings,
        background: Background | None = None,
    ) -> None:
        self.inputs = inputs
        self.settings = settings
        self.n = n = len(inputs)
        self.known_from = sum(not x.entry.known for x in inputs)  # submissions first, then known
        if any(x.entry.known for x in inputs[: self.known_from]):
            raise ValueError("submissions must come before known solutions")
        submitted = np.array([not x.entry.known for x in inputs], dtype=bool)
        self.is_known = ~submitted
        self.keys: dict[str, np.ndarray] = {}  # per cell: every fingerprint, sorted (its id is its place)
        self.wvec: list[np.ndarray] = []  # per cell: the weight of each id between two submissions
        self.wknown: list[np.ndarray] = []  # ... and between a submission and a known solution
        self.common: dict[str, int] = {}
        self.total = np.zeros((len(CELLS), n))  # weight of each input's fingerprints, per cell
        self.total_known = np.zeros((len(CELLS), n))  # the same with the weights against known solutions
        self.ids: list[list[np.ndarray]] = []  # per cell, per input: the ids of its fingerprints that count
        self.indptr: list[np.ndarray] = []  # per cell: postings of id h are posted[indptr[h]:indptr[h + 1]]
        self.posted: list[np.ndarray] = []
        world = background if background is not None and settings.rule.background else None
        for t, item in enumerate(CELLS):
            cells = [x.prints[item].unique if item in x.prints else np.zeros(0, np.int64) for x in inputs]
            keys, w, wk, self.common[item] = calibration.weights(
                cells,
                submitted,
                reference.get(item, np.zeros(0, np.int64)),
                (lambda keys, item=item: world.count(item, keys)) if world is not None else None,
                common_fraction=settings.common_fraction,
                min_class=settings.min_class_for_common,
                reference_weight=settings.reference_weight,
            )
            ids = []
            for cell in cells:
                found = np.searchsorted(keys, cell).astype(np.int32)
                ids.append(found[w[found] > 0] if len(found) else found)
            owners = np.repeat(np.arange(n, dtype=np.int32), [len(a) for a in ids])
            flat = np.concatenate([*ids, np.zeros(0, np.int32)])
            self.posted.append(owners[np.argsort(flat, kind="stable")])
            self.indptr.append(
                np.concatenate([[0], np.cumsum(np.bincount(flat, minlength=len(keys)))]).astype(np.int64)
            )
            self.keys[item] = keys
            self.ids.append(ids)
            self.wvec.append(w)
            self.wknown.append(wk)
            self.total[t] = np.bincount(owners, weights=w[flat], minlength=n)
            self.total_known[t] = np.bincount(owners, weights=wk[flat], minlength=n)

    def totals(self, i: int, js: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The weight of ``i``'s cells and of each of ``js``'s, as each pair (i, j) weighs them."""
        known = self.is_known[js]
        wi = np.where(known, self.total_known[:, i : i + 1], self.total[:, i : i + 1])
        return wi, np.where(known, self.total_known[:, js], self.total[:, js])

    def weight_of(self, item: str, hashes: np.ndarray, known: bool = False) -> np.ndarray:
        """The weight of each of ``hashes`` in cell ``item`` (0 for a fingerprint nobody has), between
        two submissions or (``known``) between a submission and a known solution."""
        t = CELLS.index(item)
        keys, w = self.keys[item], (self.wknown if known else self.wvec)[t]
        if not len(keys):
            return np.zeros(len(hashes))
        at = np.minimum(np.searchsorted(keys, hashes), len(keys) - 1)
        return np.where(keys[at] == hashes, w[at], 0.0)

    def shared_with(self, t: int, i: int) -> np.ndarray | None:
        """The weight input ``i`` shares with every input in cell ``t`` (None: nothing to share)."""
        ids = self.ids[t][i]
        if not len(ids):
            return None
        indptr = self.indptr[t]
        starts, lengths = indptr[ids], indptr[ids + 1] - indptr[ids]
        # The postings of all of i's ids, gathered in one step: start of each run plus 0, 1, 2, ...
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        owners = self.posted[t][offsets]
        row = np.bincount(owners, weights=np.repeat(self.wvec[t][ids], lengths), minlength=self.n)
        if self.known_from < self.n:
            against = np.bincount(owners, weights=np.repeat(self.wknown[t][ids], lengths), minlength=self.n)
            row[self.known_from :] = against[self.known_from :]
        return row

    @property
    def compared_pairs(self) -> int:
        s, n = self.known_from, self.n
        return s * (s - 1) // 2 + s * (n - s)

    def row(self, i: int) -> list[tuple[int, int, np.ndarray, float, float, bool, np.ndarray]]:
        """Submission ``i`` against every later input: the pairs worth reporting, as
        (i, j, shared per cell, notebook score, notebook shared, flagged, flagged per cell)."""
        n = self.n
        shared = np.zeros((len(CELLS), n))
        for t in range(len(CELLS)):
            row = self.shared_with(t, i)
            if row is not None:
                shared[t] = row
        shared[:, : i + 1] = 0
        js = np.nonzero(shared.any(axis=0))[0]
        if not len(js):
            return []
        wi, wj = self.totals(i, js)
        sh, both = shared[:, js], (wi > 0) & (wj > 0)
        score, total_shared, flag, item_flag = flags(sh, wi, wj, both, self.settings)
        keep = np.nonzero(flag | (score >= calibration.REPORT_FLOOR))[0]
        return [
            (
                i,
                int(js[k]),
                sh[:, k] * both[:, k],
                float(min(1.0, score[k])),
                float(total_shared[k]),
                bool(flag[k]),
                item_flag[:, k],
            )
            for k in keep
        ]

    def pair(self, row: tuple[int, int, np.ndarray, float, float, bool, np.ndarray]) -> PairResult:
        i, j, shared, score, total_shared, flagged, item_flag = row
        wi, wj = (w[:, 0] for w in self.totals(i, np.array([j])))
        items = {
            item: ItemScore(item, float(shared[t]), float(wi[t]), float(wj[t]), bool(item_flag[t]))
            for t, item in enumerate(CELLS)
            if wi[t] > 0 and wj[t] > 0
        }
        written = [items[w] for w in WRITTEN if w in items]
        return PairResult(
            self.inputs[i].entry.label,
            self.inputs[j].entry.label,
            items,
            score,
            total_shared,
            flagged,
            written=ratio(
                sum(s.shared for s in written), sum(s.weight_a for s in written), sum(s.weight_b for s in written)
            )
            if written
            else None,
        )

    def regions(self, pair: PairResult) -> dict[str, Regions]:
        """Where each cell's shared fingerprints stand in both sources (for the side-by-side view):
        the tokens of counted matches, and those of shared but discounted ones."""
        if not hasattr(self, "_by_label"):
            self._by_label = {x.entry.label: x for x in self.inputs}
        a, b = self._by_label[pair.a], self._by_label[pair.b]
        out = {}
        for item in pair.items:
            fa, fb = a.prints[item], b.prints[item]
            both = np.intersect1d(fa.unique, fb.unique)
            weight = self.weight_of(item, both, known=b.entry.known)
            shown = weight >= calibration.SHOWN_COMMON_BELOW
            counted, discounted = both[shown], both[~shown]
            ta, tb = fa.tokens_of(counted), fb.tokens_of(counted)
            sa, sb = a.entry.cells[item], b.entry.cells[item]
            out[item] = Regions(
                tuple(fa.text_spans(ta, sa)),
                tuple(fb.text_spans(tb, sb)),
                tuple(fa.text_spans(np.setdiff1d(fa.tokens_of(discounted), ta), sa)),
                tuple(fb.text_spans(np.setdiff1d(fb.tokens_of(discounted), tb), sb)),
            )
        return out


def compare(index: Index, max_pairs: int = 1000, on_rows: Callable[[int], None] | None = None) -> list[PairResult]:
    """The reported pairs (at most ``max_pairs``, flagged first, then by score), with regions.

    In this process: with the index, a class of 600 (180,000 pairs) takes a quarter of a second
    of CPU here, less than starting a worker process would."""
    best: list[tuple[bool, float, int, int, tuple]] = []
    for i in range(index.known_from):
        for r in index.row(i):
            key = (r[5], r[3], -r[0], -r[1], r)
            if len(best) < max_pairs:
                heapq.heappush(best, key)
            elif key[:4] > best[0][:4]:
                heapq.heapreplace(best, key)
        if on_rows:
            on_rows(1)
    ranked = [index.pair(k[4]) for k in sorted(best, key=lambda k: k[:4], reverse=True)]
    for pair in ranked:
        pair.regions = index.regions(pair)
    return ranked


def flags(
    sh: np.ndarray, wi: np.ndarray, wj: np.ndarray, both: np.ndarray, st: Settings
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Scores and flags of pairs (one column each; rows: ``CELLS``) from their shared weight per
    cell and the weights of both sides: (notebook score, notebook shared weight, flagged, the
    cells behind the flag). The rule is ``calibration``'s."""
    rule, eps = st.rule, 1e-12
    smaller = np.where(both, np.minimum(wi, wj), 1.0)
    item_score = np.where(both, sh / smaller, 0.0)
    code, text = slice(0, CODE), slice(CODE, None)
    evidence = both[code] & (item_score[code] >= st.threshold - eps) & (sh[code] >= rule.cell_evidence)
    alone = evidence & (sh[code] >= rule.min_alone)
    shared_code = (sh[code] * both[code]).sum(axis=0)
    ti, tj = (wi[code] * both[code]).sum(axis=0), (wj[code] * both[code]).sum(axis=0)
    score = np.where(np.minimum(ti, tj) > 0, shared_code / np.maximum(np.minimum(ti, tj), eps), 0.0)
    if rule.min_cells:  # evidence across cells: enough cells copied, with enough code behind them
        notebook = (evidence.sum(axis=0) >= rule.min_cells) & ((sh[code] * evidence).sum(axis=0) >= rule.min_shared)
    else:  # the rule before issue 23: the notebook's score
        notebook = (score >= st.threshold - eps) & (shared_code >= rule.min_shared)
    shared_text = (sh[text] * both[text]).sum(axis=0)
    wa, wb = (wi[text] * both[text]).sum(axis=0), (wj[text] * both[text]).sum(axis=0)
    text_score = np.where(np.minimum(wa, wb) > 0, shared_text / np.maximum(np.minimum(wa, wb), eps), 0.0)
    copied_text = (text_score >= rule.written_threshold - eps) & (shared_text >= rule.min_written)
    # The cells behind a flag: one that flags alone, and every cell of evidence of a pair flagged across cells.
    item_flag = np.concatenate([alone | (evidence & notebook[None, :]), both[text] & copied_text[None, :]])
    return score, shared_code, notebook | alone.any(axis=0) | copied_text, item_flag


def naive_scores(index: Index, i: int, j: int) -> tuple[np.ndarray, float]:
    """The shared weight per cell of one pair by set intersection, without the index (what the
    tests and the benchmark check the index against)."""
    a, b = index.inputs[i], index.inputs[j]
    known = b.entry.known
    shared = np.zeros(len(CELLS))
    for t, item in enumerate(CELLS):
        if item in a.prints and item in b.prints:
            both = a.prints[item].hashes & b.prints[item].hashes  # Python sets: independent of the index
            shared[t] = float(index.weight_of(item, np.array(sorted(both), dtype=np.int64), known).sum())
    wi, wj = (w[:, 0] for w in index.totals(i, np.array([j])))
    both = ((wi > 0) & (wj > 0))[:CODE]
    total = (shared[:CODE] * both).sum()
    full = np.concatenate([shared[:CODE] * both, shared[CODE:] * ((wi > 0) & (wj > 0))[CODE:]])
    return full, ratio(total, (wi[:CODE] * both).sum(), (wj[:CODE] * both).sum())
