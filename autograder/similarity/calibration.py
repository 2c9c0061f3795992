"""How much a shared fingerprint counts, and when a score means copying: the calibration
against the exercise's shape (docs/similarity.md shows the numbers behind each value).

A fingerprint's weight in a cell:

- 0 when it is part of the release notebook's starter code (boilerplate: removed before this);
- 0 when it is *common to the class*: in at least ``COMMON_FRACTION`` of the submissions that
  answered the cell, in a class of at least ``MIN_CLASS_FOR_COMMON`` submissions. What 40% of a
  class writes is the shape of the exercise (``model = TwoLayerNet(input_dim=input_dim, ...``),
  not a copy; in a smaller class, how many share a fingerprint says nothing, and nothing is
  discounted. The price: a ring of copies that large hides its shared code from the report;
- ``REFERENCE_WEIGHT`` when the reference solution has it too: the idiomatic line many honest
  students arrive at on a small cell (``x.reshape(x.shape[0], -1) @ w + b``);
- 1 otherwise.

A pair of cells is *flagged* when its score (the weighted share of the smaller cell found in the
other) is at least the threshold **and** the shared weight is at least ``MIN_SHARED``: a
one-line cell (``relu_forward``) cannot carry that much, so it never flags a pair on its own,
whatever its score. The whole notebook is flagged the same way, over the cells both answered.
"""

from __future__ import annotations

import numpy as np

THRESHOLD = 0.5
MIN_SHARED = 12.0
REFERENCE_WEIGHT = 0.5
COMMON_FRACTION = 0.4
MIN_CLASS_FOR_COMMON = 10
#: Pairs below this notebook score, and not flagged in any cell, are not reported (the CSV and
#: the HTML list every pair at or above it).
REPORT_FLOOR = 0.3


def weights(
    cells: list[np.ndarray],
    submitted: np.ndarray,
    reference: np.ndarray,
    *,
    common_fraction: float = COMMON_FRACTION,
    min_class: int = MIN_CLASS_FOR_COMMON,
    reference_weight: float = REFERENCE_WEIGHT,
) -> tuple[np.ndarray, np.ndarray, int]:
    """The fingerprints of one answer cell and their weights: ``(keys, weight of each key, how
    many were discounted as common)``. ``cells``: each input's distinct fingerprints of the cell
    (empty when it did not answer it); ``submitted``: which inputs are submissions (the class),
    the others being known solutions; ``reference``: the reference solution's k-grams."""
    keys, inverse = np.unique(np.concatenate([*cells, np.zeros(0, np.int64)]), return_inverse=True)
    owners = np.repeat(np.arange(len(cells)), [len(c) for c in cells])
    answered = sum(1 for c, s in zip(cells, submitted, strict=True) if s and len(c))
    frequency = np.bincount(inverse[submitted[owners]], minlength=len(keys))
    w = np.where(np.isin(keys, reference), reference_weight, 1.0)
    common = np.zeros(len(keys), bool)
    if answered >= min_class:
        common = frequency >= common_fraction * answered
        w[common] = 0.0
    return keys, w, int(common.sum())
