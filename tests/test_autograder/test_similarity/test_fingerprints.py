"""autograder/similarity/fingerprints.py: winnowing's guarantee, order-insensitive sets, and
hashes that are the same in every process."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys

import numpy as np

from autograder.similarity.fingerprints import WINDOW, K, fingerprint, kgram_hashes, winnow
from autograder.similarity.tokens import Token, normalise


def stream(texts: list[str]) -> list[Token]:
    return [Token(t, i, i + 1) for i, t in enumerate(texts)]


def test_every_match_of_k_plus_window_minus_one_tokens_shares_a_fingerprint():
    rng = random.Random(3)
    alphabet = ["V", "L", "(", ")", "+", "*", "=", ";", ".", "return"]
    for _ in range(200):
        shared = [rng.choice(alphabet) for _ in range(K + WINDOW - 1)]
        a = [rng.choice(alphabet) for _ in range(rng.randint(0, 30))] + shared
        b = shared + [rng.choice(alphabet) for _ in range(rng.randint(0, 30))]
        assert fingerprint(stream(a)).hashes & fingerprint(stream(b)).hashes, (a, b)


def test_winnowing_keeps_the_minimum_of_every_window():
    hashes = [5, 3, 9, 1, 7, 7, 2, 8]
    chosen = winnow(hashes, 3).tolist()
    for start in range(len(hashes) - 2):
        window = range(start, start + 3)
        assert any(p in chosen for p in window if hashes[p] == min(hashes[q] for q in window))
    assert chosen == sorted(set(chosen))


def test_reordered_functions_keep_their_fingerprints():
    first = "def helper(a):\n    b = a.reshape(a.shape[0], -1)\n    return b * 2 + 1\n"
    second = "def layer(x, w):\n    out = helper(x) @ w\n    cache = (x, w)\n    return out, cache\n"
    one, other = fingerprint(normalise(first + second)), fingerprint(normalise(second + first))
    kept = len(one.hashes & other.hashes) / len(one.hashes)
    assert kept >= 0.8, kept  # only the k-grams across the join differ


def test_hashes_do_not_depend_on_the_process():
    tokens = ["def", "V", "(", "V", ")", ":", ";", "return", "V", "*", "L", ";"]
    code = (
        "import json; from autograder.similarity.fingerprints import kgram_hashes; "
        "from autograder.similarity.tokens import Token; "
        f"print(json.dumps(kgram_hashes([Token(t, 0, 0) for t in {tokens!r}]).tolist()))"
    )
    here = kgram_hashes([Token(t, 0, 0) for t in tokens]).tolist()
    for seed in ("1", "2"):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed}
        )
        assert json.loads(out.stdout) == here, out.stderr


def test_highlights_cover_tokens_not_the_dropped_text_between_them():
    source = 'out = x.reshape(x.shape[0], -1)  # rows\n"""a docstring"""\nreturn out @ w + b\n'
    fp = fingerprint(normalise(source))
    spans = fp.text_spans(np.arange(len(fp.starts)), source)
    covered = "".join(source[a:b] for a, b in spans)
    assert "rows" not in covered and "docstring" not in covered
    assert "x.reshape(x.shape[0], -1)" in covered and "out @ w + b" in covered
