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

from collections import Counter
from collections.abc import Iterable

THRESHOLD = 0.5
MIN_SHARED = 12.0
REFERENCE_WEIGHT = 0.5
COMMON_FRACTION = 0.4
MIN_CLASS_FOR_COMMON = 10
#: Pairs below this notebook score, and not flagged in any cell, are not reported (the CSV and
#: the HTML list every pair at or above it).
REPORT_FLOOR = 0.3


def weights(
    submitted: Iterable[frozenset[int]],
    everyone: Iterable[frozenset[int]],
    reference: frozenset[int],
    *,
    common_fraction: float = COMMON_FRACTION,
    min_class: int = MIN_CLASS_FOR_COMMON,
    reference_weight: float = REFERENCE_WEIGHT,
) -> tuple[dict[int, float], int]:
    """The weight of every fingerprint of one cell that counts (weight > 0), and how many were
    discounted as common. ``submitted``: the cell's fingerprints in each submission that answered
    it (the class); ``everyone``: the same for every input (the class and the known solutions)."""
    submitted = list(submitted)
    frequency: Counter[int] = Counter()
    for hashes in submitted:
        frequency.update(hashes)
    common: set[int] = set()
    if len(submitted) >= min_class:
        common = {h for h, n in frequency.items() if n >= common_fraction * len(submitted)}
    out: dict[int, float] = {}
    for hashes in everyone:
        for h in hashes:
            if h not in out and h not in common:
                out[h] = reference_weight if h in reference else 1.0
    return out, len(common)
