"""How much a shared fingerprint counts, and when a score means copying: the calibration
against the exercise's shape and against the world's solutions (docs/similarity.md shows the
numbers behind each value, measured on real students' code).

A fingerprint's weight in a cell:

- 0 when it is part of the release notebook's starter code (boilerplate: removed before this);
- 0 when it is *common to the class*: in at least ``COMMON_FRACTION`` of the submissions that
  answered the cell, in a class of at least ``MIN_CLASS_FOR_COMMON`` submissions. What 40% of a
  class writes is the shape of the exercise (``model = TwoLayerNet(input_dim=input_dim, ...``),
  not a copy; in a smaller class, how many share a fingerprint says nothing, and nothing is
  discounted. The price: a ring of copies that large hides its shared code from the report;
- otherwise ``1 / (1 + n)``, where ``n`` is the number of public solutions that have it (the
  background corpus, ``background.py``, and the ``--against`` collection): what the world writes
  is no evidence (for a pair with a known solution, that solution itself is not counted in ``n``);
- times ``REFERENCE_WEIGHT`` when the reference solution has it too: the idiomatic line many
  honest students arrive at on a small cell (``x.reshape(x.shape[0], -1) @ w + b``).

When a score means copying. A cell is *evidence* when its score (the weighted share of the smaller
cell found in the other) is at least the threshold with at least ``CELL_EVIDENCE`` of shared
weight. A pair is *flagged* when

- its notebook score is at least the threshold with ``MIN_SHARED`` of shared weight, and at least
  ``MIN_CELLS`` cells are evidence: copying shows across cells; or
- one cell's score is at least the threshold with ``MIN_ALONE`` of shared weight: a long run of
  rare code, which honest students do not share. A short canonical cell cannot carry that much
  (``relu_forward``, the vectorised ``svm_loss`` that half the world writes), so it never flags a
  pair on its own, whatever its score; or
- its written answers (``written.py``) score at least ``WRITTEN_THRESHOLD`` with ``MIN_WRITTEN``
  of shared weight: a copied explanation.

The rule before issue 23 is ``RULE_BEFORE`` (one cell or the notebook, 12 shared, no background):
``tools/similarity_calibration.py --before`` measures it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

THRESHOLD = 0.5
REFERENCE_WEIGHT = 0.5
COMMON_FRACTION = 0.4
MIN_CLASS_FOR_COMMON = 10
#: Pairs below this notebook score, and not flagged in any cell, are not reported (the CSV and
#: the HTML list every pair at or above it).
REPORT_FLOOR = 0.3
#: Shared weight below which a fingerprint is shown as common (pale blue), not as evidence.
SHOWN_COMMON_BELOW = 0.3


@dataclass(frozen=True)
class Rule:
    """When a pair is flagged (the module's docstring)."""

    min_shared: float = 20.0
    min_cells: int = 2
    cell_evidence: float = 5.0
    min_alone: float = 24.0
    written_threshold: float = 0.4
    min_written: float = 6.0
    background: bool = True


RULE = Rule()
RULE_BEFORE = Rule(
    min_shared=12.0, min_cells=0, cell_evidence=0.0, min_alone=12.0, min_written=float("inf"), background=False
)


def weights(
    cells: list[np.ndarray],
    submitted: np.ndarray,
    reference: np.ndarray,
    public: np.ndarray | None = None,
    *,
    common_fraction: float = COMMON_FRACTION,
    min_class: int = MIN_CLASS_FOR_COMMON,
    reference_weight: float = REFERENCE_WEIGHT,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """The fingerprints of one answer cell and their weights: ``(keys, weight of each key between
    two submissions, weight of each key between a submission and a known solution, how many were
    discounted as common)``. ``cells``: each input's distinct fingerprints of the cell (empty when
    it did not answer it); ``submitted``: which inputs are submissions (the class), the others
    being known solutions; ``reference``: the reference solution's k-grams; ``public``: a function
    of the keys giving in how many background documents each is (None: no background, and the
    known solutions do not count either: the rule before issue 23)."""
    keys, inverse = np.unique(np.concatenate([*cells, np.zeros(0, np.int64)]), return_inverse=True)
    owners = np.repeat(np.arange(len(cells)), [len(c) for c in cells])
    answered = sum(1 for c, s in zip(cells, submitted, strict=True) if s and len(c))
    frequency = np.bincount(inverse[submitted[owners]], minlength=len(keys))
    base = np.where(np.isin(keys, reference), reference_weight, 1.0)
    w, w_known = base, base.copy()
    if public is not None:
        # A pair shares a key its known solution has: that solution is not counted against it.
        world = public(keys) + np.bincount(inverse[~submitted[owners]], minlength=len(keys))
        w, w_known = base / (1.0 + world), base / (1.0 + np.maximum(world - 1, 0))
    common = np.zeros(len(keys), bool)
    if answered >= min_class:
        common = frequency >= common_fraction * answered
        w[common] = 0.0
        w_known[common] = 0.0
    return keys, w, w_known, int(common.sum())
