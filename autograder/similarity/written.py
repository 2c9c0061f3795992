"""The inline questions' written answers (markdown), compared as normalised text.

A copied explanation is copying as much as copied code, but it cannot be compared as code: its
words are the evidence. An answer is read as a sequence of words (lower case; markdown, LaTeX
commands, punctuation and digits dropped; a CJK character counts as a word, since Chinese and
Japanese answers have no spaces) and cut into *shingles*: every run of ``SHINGLE`` consecutive
words, hashed as the code's k-grams are. What does not count:

- the question's own wording and the rest of the release notebook's text (a student who quotes
  the question copies nobody): every shingle of the release notebook's markdown is removed;
- what is common among public answers (the background corpus, ``background.py``): a shingle
  counts ``1 / (1 + n)`` when ``n`` public answers have it.

A pair's written score is the weighted share of the smaller answer's shingles found in the other,
as for a code cell, over the questions both answered.
"""

from __future__ import annotations

import re

import numpy as np

from .fingerprints import Fingerprints, all_kgrams, fingerprint
from .sources import WRITTEN_ANSWERS
from .tokens import Token

#: The markdown answer cells compared (from ``autograder/course/items.py``).
WRITTEN = WRITTEN_ANSWERS

SHINGLE = 3  # words per shingle: "relu has zero" is a phrase, "relu has" is not
STARTER = "YOUR ANSWER HERE"

_LATEX = re.compile(r"\\[a-zA-Z]+|\$+|[{}^_]")
_MARKUP = re.compile(r"<[^>]{0,200}>|https?://\S+|\]\([^)]*\)")
_WORD = re.compile(r"[^\W\d_]+|[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]", re.UNICODE)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def words(text: str) -> list[Token]:
    """The words of a markdown answer, lower case, each tied to where it stands in the text;
    markup, LaTeX commands and punctuation are not words."""
    hidden = _MARKUP.sub(lambda m: " " * len(m.group(0)), text.replace(STARTER, " " * len(STARTER)))
    hidden = _LATEX.sub(lambda m: " " * len(m.group(0)), hidden)
    out: list[Token] = []
    for m in _WORD.finditer(hidden):
        w = m.group(0).lower()
        if _CJK.search(w):  # a run of CJK characters is one word per character
            out.extend(Token(c.group(0), m.start() + c.start(), m.start() + c.end()) for c in _CJK.finditer(w))
        else:
            out.append(Token(w, m.start(), m.end()))
    return out


def fingerprint_text(text: str) -> Fingerprints:
    """Every shingle of an answer (no winnowing: answers are short), with where it stands."""
    return fingerprint(words(text), k=SHINGLE, window=1)


def shingles(text: str) -> np.ndarray:
    """The distinct shingle hashes of an answer, sorted."""
    return all_kgrams(words(text), k=SHINGLE)


def release_shingles(markdown: list[str]) -> np.ndarray:
    """Every shingle of the release notebook's text (its markdown cells): the questions' own
    wording, which a student's answer may quote without copying anybody."""
    return np.unique(np.concatenate([np.zeros(0, np.int64), *(shingles(t) for t in markdown)]))
