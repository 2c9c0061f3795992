"""Fingerprints of a folder of answers, for the similarity report's real calibration set and its
background corpus (docs/similarity.md). No source text leaves this tool: what it writes are hashes.

    .venv/bin/python tools/similarity_fingerprints.py SOURCES --out tests/files/similarity/real \
        [--background autograder/similarity/data/background.npz]

``SOURCES`` holds one folder per author, with one file per answer: ``<item>.py`` for an answer
cell (the release's starter code and the author's code, as a student's cell holds them) and
``<item>.md`` for a written answer (``inline_question_1``, ``inline_question_2``); and an optional
``meta.json`` (author -> repository, commit, paths, licence) for attribution.

Writes to ``--out``:

- ``fingerprints.npz``: for every author and answer, ``<author>/<item>``: the hash of every
  k-gram of the normalised cell, in order (stored as places in the author's table of hashes,
  ``<author>/#table``: ``decoded`` reads them back) (what the report computes from a cell before winnowing
  and removing the starter code), or the sorted shingle hashes of a written answer; and the same
  for a disguised copy of each author's answers under ``<author>~<kind>/<item>``
  (``tools/similarity_disguises.py``: one copy per kind of disguise);
- ``sources.json``: the attribution (``meta.json``), the settings the hashes depend on, and the
  hashes of a fixed text, so that a test notices when the normaliser no longer gives these hashes.

``--background``: also write the background corpus of every author's answers (the copies left
out) to that file (``autograder/similarity/background.py``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "source" / "two_layer_net"), str(REPO / "tools")]

from similarity_disguises import KINDS, disguise_code, disguise_text  # noqa: E402

from autograder.similarity import background, written  # noqa: E402 - after the path
from autograder.similarity.fingerprints import WINDOW, K, kgram_hashes  # noqa: E402
from autograder.similarity.sources import COMPARED  # noqa: E402
from autograder.similarity.tokens import normalise  # noqa: E402

#: Hashed in sources.json: a change of the normaliser, k or the shingles changes these hashes.
CANARY_CODE = "def f(x, w):\n    out = x.reshape(x.shape[0], -1) @ w  # a comment\n    return out, (x, w)\n"
CANARY_TEXT = "Sigmoid saturates: for large |x| its gradient is close to zero."


def code_hashes(source: str) -> np.ndarray:
    return kgram_hashes(normalise(source))


def answers(folder: Path) -> dict[str, str]:
    """item -> text of one author's answers (the items the report compares)."""
    out = {}
    for path in sorted(folder.iterdir()):
        if path.stem in COMPARED and path.suffix == ".py" or path.stem in written.WRITTEN and path.suffix == ".md":
            out[path.stem] = path.read_text(encoding="utf-8")
    return out


def hashes_of(item: str, text: str) -> np.ndarray:
    """Every k-gram (code) or shingle (written answer) of an answer, in order."""
    if item in written.WRITTEN:
        return kgram_hashes(written.words(text), written.SHINGLE)
    return code_hashes(text)


def disguised(item: str, text: str, kind: str) -> str:
    return disguise_text(text) if item in written.WRITTEN else disguise_code(text, kind)


def encoded(author: str, hashes: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """An author's answers and copies as one table of their distinct hashes (``<author>/#table``)
    and, for each answer, the places of its hashes in it: a copy shares most of its original's."""
    table = np.unique(np.concatenate(list(hashes.values())))
    kind = np.uint16 if len(table) <= np.iinfo(np.uint16).max else np.uint32
    return {f"{author}/#table": table} | {name: np.searchsorted(table, h).astype(kind) for name, h in hashes.items()}


def decoded(data) -> dict[str, dict[str, np.ndarray]]:
    """label -> item -> hashes, from what ``encoded`` wrote (an ``np.load`` of the file)."""
    tables = {name.split("/")[0]: data[name] for name in data.files if name.endswith("/#table")}
    out: dict[str, dict[str, np.ndarray]] = {}
    for name in data.files:
        label, item = name.rsplit("/", 1)
        if item != "#table":
            out.setdefault(label, {})[item] = tables[label.split("~")[0]][data[name]]
    return out


def settings() -> dict:
    return {
        "k": K,
        "window": WINDOW,
        "shingle": written.SHINGLE,
        "canary_code": [str(h) for h in code_hashes(CANARY_CODE)],
        "canary_text": [str(h) for h in written.shingles(CANARY_TEXT)],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sources", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--background", type=Path)
    args = parser.parse_args(argv)
    authors = sorted(p for p in args.sources.iterdir() if p.is_dir())
    arrays: dict[str, np.ndarray] = {}
    documents = []
    for folder in authors:
        cells = answers(folder)
        hashes = {}
        for item, text in cells.items():
            hashes[f"{folder.name}/{item}"] = hashes_of(item, text)
            for kind in KINDS:
                hashes[f"{folder.name}~{kind}/{item}"] = hashes_of(item, disguised(item, text, kind))
        arrays.update(encoded(folder.name, hashes))
        documents.append({item: np.unique(hashes[f"{folder.name}/{item}"]) for item in cells})
    args.out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out / "fingerprints.npz", **arrays)
    meta_file = args.sources / "meta.json"
    meta = json.loads(meta_file.read_text()) if meta_file.exists() else {}
    record = {"settings": settings(), "authors": {p.name: meta.get(p.name, {}) for p in authors}}
    (args.out / "sources.json").write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    print(f"{len(authors)} authors, {len(arrays)} answers and copies: {args.out / 'fingerprints.npz'}")
    if args.background:
        args.background.parent.mkdir(parents=True, exist_ok=True)
        background.save(background.build(documents), args.background)
        print(f"background of {len(documents)} documents: {args.background}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
