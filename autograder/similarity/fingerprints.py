"""Fingerprints of a token stream: hashed k-grams, winnowed (Schleimer, Wilkerson and Aiken,
"Winnowing: local algorithms for document fingerprinting", SIGMOD 2003).

Every run of ``K`` consecutive normalised tokens is hashed; of every ``WINDOW`` consecutive
hashes the smallest is kept (the rightmost if tied). Any match of at least ``K + WINDOW - 1``
tokens is then guaranteed to share a fingerprint, and a match shorter than ``K`` never does.
A cell's fingerprints are a *set*: the order of its functions and statements does not matter,
so a copy with its functions reordered matches as well as the original.

A k-gram's hash is the first 8 bytes of its BLAKE2b: the same in every process (Python's
``hash`` of a string is salted per process, and fingerprints are computed in several).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from hashlib import blake2b

import numpy as np

from .tokens import Token

K = 8  # tokens in a k-gram: about one short statement once names and literals are normalised
WINDOW = 2  # k-grams per winnowing window: every match of K + WINDOW - 1 = 9 tokens is found


@dataclass
class Fingerprints:
    """The winnowed fingerprints of one cell, as arrays (a class of them fits in little memory
    and crosses between processes quickly): the hash chosen at each selected k-gram and where
    that k-gram starts (token position), and where each token stands in the cell's source."""

    chosen: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # hash of each selected k-gram
    at: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))  # its first token
    starts: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))  # character offsets of each token
    ends: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    k: int = K

    @property
    def unique(self) -> np.ndarray:
        """The distinct hashes, sorted."""
        return np.unique(self.chosen)

    @property
    def hashes(self) -> frozenset[int]:
        return frozenset(self.chosen.tolist())

    def __len__(self) -> int:
        return len(self.unique)

    def without(self, hashes: np.ndarray) -> Fingerprints:
        """These fingerprints less the k-grams whose hash is in ``hashes``."""
        keep = ~np.isin(self.chosen, hashes)
        return Fingerprints(self.chosen[keep], self.at[keep], self.starts, self.ends, self.k)

    def tokens_of(self, hashes: np.ndarray) -> np.ndarray:
        """The positions of every token the k-grams of ``hashes`` cover, sorted."""
        firsts = self.at[np.isin(self.chosen, hashes)]
        covered = (firsts[:, None] + np.arange(self.k)).ravel()
        return np.unique(covered[covered < len(self.starts)])

    def text_spans(self, tokens: np.ndarray, source: str) -> list[tuple[int, int]]:
        """Character spans of the source covering ``tokens``: consecutive tokens are joined when
        only spaces stand between them (never across a line, a comment or a dropped docstring)."""
        out: list[list[int]] = []
        previous = -2
        for t, start, end in zip(
            tokens.tolist(), self.starts[tokens].tolist(), self.ends[tokens].tolist(), strict=True
        ):
            if out and previous == t - 1 and not source[out[-1][1] : start].strip(" \t"):
                out[-1][1] = end
            else:
                out.append([start, end])
            previous = t
        return [(a, b) for a, b in out if b > a]


def kgram_hashes(tokens: list[Token], k: int = K) -> np.ndarray:
    """The hash of every k-gram of ``tokens``, in order (one, of the whole stream, if shorter)."""
    texts = [t.text for t in tokens]
    if not texts:
        return np.zeros(0, np.int64)
    if len(texts) < k:
        return np.array([_hash(texts)], dtype=np.int64)
    return np.fromiter((_hash(texts[i : i + k]) for i in range(len(texts) - k + 1)), np.int64, len(texts) - k + 1)


def _hash(texts: list[str]) -> int:
    """The first 8 bytes of the BLAKE2b of the k-gram, less one bit (a non-negative int64)."""
    return int.from_bytes(blake2b("\x1f".join(texts).encode(), digest_size=8).digest(), "big") >> 1


def winnow(hashes: np.ndarray, window: int = WINDOW) -> np.ndarray:
    """Positions of the hashes winnowing selects: the smallest of every window of ``window``
    consecutive hashes (the rightmost if tied), each position once, in order."""
    hashes = np.asarray(hashes)
    if len(hashes) == 0:
        return np.zeros(0, np.int64)
    width = min(window, len(hashes))
    windows = np.lib.stride_tricks.sliding_window_view(hashes, width)
    rightmost = width - 1 - np.argmin(windows[:, ::-1], axis=1)
    chosen = np.arange(len(windows)) + rightmost
    return chosen[np.concatenate([[True], np.diff(chosen) != 0])]


def fingerprint(tokens: list[Token], k: int = K, window: int = WINDOW) -> Fingerprints:
    """The winnowed fingerprints of a token stream, with where each k-gram stands in the source."""
    hashes = kgram_hashes(tokens, k)
    chosen = winnow(hashes, window)
    return Fingerprints(
        chosen=hashes[chosen],
        at=chosen.astype(np.int32),
        starts=np.fromiter((t.start for t in tokens), np.int32, len(tokens)),
        ends=np.fromiter((t.end for t in tokens), np.int32, len(tokens)),
        k=k,
    )


def all_kgrams(tokens: list[Token], k: int = K) -> np.ndarray:
    """Every k-gram's hash (not winnowed), sorted: what boilerplate is made of, so that none of it
    can be selected in a student's cell whatever the windows around it."""
    return np.unique(kgram_hashes(tokens, k))
