"""The background corpus: how common each fingerprint is among public solutions of the exercise.

Students converge on the same vectorised forms, from the lectures and from the public solutions
they read: a line that half the world writes is no evidence that two students copied each other,
however alike their cells. The background holds, for every answer cell (and every written
answer), each k-gram hash found in a corpus of public solutions and in how many of them
(*documents*) it is. A fingerprint found in ``n`` of them weighs ``1 / (1 + n)`` of one nobody
else wrote (``calibration.weights``); ``--against`` collections add their own solutions to the
count.

It ships with the course as package data (``background.npz``, hashes and counts only: no
source text can be read back from it) and is built by ``tools/similarity_fingerprints.py`` from
fingerprints of public repositories (docs/similarity.md says which, and how it was held out of
the calibration).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

SHIPPED = Path(__file__).resolve().parent / "background.npz"


@dataclass(frozen=True)
class Background:
    """Per answer cell: the sorted hashes found in the corpus, how many documents have each, and
    how many documents answered the cell."""

    keys: dict[str, np.ndarray] = field(default_factory=dict)
    counts: dict[str, np.ndarray] = field(default_factory=dict)
    documents: dict[str, int] = field(default_factory=dict)

    def count(self, item: str, hashes: np.ndarray) -> np.ndarray:
        """In how many documents each of ``hashes`` is (0 for a hash the corpus lacks)."""
        keys = self.keys.get(item)
        if keys is None or not len(keys) or not len(hashes):
            return np.zeros(len(hashes), np.int64)
        at = np.minimum(np.searchsorted(keys, hashes), len(keys) - 1)
        return np.where(keys[at] == hashes, self.counts[item][at], 0)

    @property
    def size(self) -> int:
        """The documents of the corpus (the largest number that answered any one cell)."""
        return max(self.documents.values(), default=0)


EMPTY = Background()


def build(documents: list[dict[str, np.ndarray]]) -> Background:
    """The background of ``documents``, each a mapping item -> the hashes of that cell (a hash
    counts once per document)."""
    per_item: dict[str, list[np.ndarray]] = {}
    for doc in documents:
        for item, hashes in doc.items():
            if len(hashes):
                per_item.setdefault(item, []).append(np.unique(hashes))
    keys, counts, docs = {}, {}, {}
    for item, arrays in sorted(per_item.items()):
        keys[item], counts[item] = np.unique(np.concatenate(arrays), return_counts=True)
        docs[item] = len(arrays)
    return Background(keys, counts, docs)


def save(background: Background, path: Path) -> None:
    arrays: dict[str, np.ndarray] = {}
    for item in background.keys:
        arrays[f"{item}/keys"] = background.keys[item]
        arrays[f"{item}/counts"] = background.counts[item].astype(np.int32)
        arrays[f"{item}/documents"] = np.array(background.documents[item])
    np.savez_compressed(path, **arrays)


def load(path: Path) -> Background:
    with np.load(path) as data:
        items = sorted({name.rsplit("/", 1)[0] for name in data.files})
        return Background(
            {item: data[f"{item}/keys"] for item in items},
            {item: data[f"{item}/counts"].astype(np.int64) for item in items},
            {item: int(data[f"{item}/documents"]) for item in items},
        )


@lru_cache(maxsize=1)
def shipped() -> Background:
    """The background that ships with the course. Its absence is an error (a broken install), not
    a reason to flag the exercise's canonical code."""
    if not SHIPPED.exists():
        raise FileNotFoundError(f"{SHIPPED}: the similarity report's background corpus is missing (package data)")
    return load(SHIPPED)
