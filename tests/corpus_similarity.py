"""The labelled calibration set of the similarity report (tests/files/similarity, its README) as
the tests and the benchmark use it: the answers per item, the labelled copies, and classes of
notebooks built from them."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import corpus

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

SET = Path(__file__).resolve().parent / "files" / "similarity"


@dataclass(frozen=True)
class Copy:
    file: str  # relative to SET, e.g. copies/affine_forward/01_renamed.py
    copy_of: str
    disguises: tuple[str, ...]

    @property
    def item(self) -> str:
        return Path(self.file).parent.name


def items() -> list[str]:
    """The items the set has answers for (folders of independent/)."""
    return sorted(p.name for p in (SET / "independent").iterdir() if p.is_dir())


def independent(item: str) -> list[str]:
    """The independent answers of ``item``, as paths relative to SET."""
    return [p.relative_to(SET).as_posix() for p in sorted((SET / "independent" / item).glob("*.py"))]


def copies() -> list[Copy]:
    labels = tomllib.loads((SET / "labels.toml").read_text())
    return [Copy(c["file"], c["copy_of"], tuple(c["disguises"])) for c in labels["copy"]]


def text(rel: str) -> str:
    return (SET / rel).read_text()


def write_class(folder: Path) -> dict[str, str]:
    """A class of notebooks in nbgrader's layout under ``folder``: ``ann`` holds, for every item of
    the set, the answer its first labelled copy was made from, ``ben`` those copies (disguised),
    and the other students independent answers none of them shares (the cells the set has no
    answer for are left as released). Returns student -> what their notebook is."""
    chosen = {c.item: c for c in reversed(copies())}  # the first copy of each item
    students: dict[str, dict[str, str]] = {"ann": {}, "ben": {}}
    for item, c in chosen.items():
        students["ann"][item] = text(c.copy_of)
        students["ben"][item] = text(c.file)
        others = [f for f in independent(item) if f != c.copy_of]
        for n, rel in enumerate(others):
            students.setdefault(f"student{n + 1:02d}", {})[item] = text(rel)
    who = {"ann": "independent answers", "ben": "disguised copies of ann's answers"}
    for student, answers in students.items():
        corpus.write_submission(folder / student / "two_layer_net" / "two_layer_net.ipynb", answers, solved=False)
        who.setdefault(student, f"independent answers ({len(answers)} cells)")
    return who


@dataclass(frozen=True)
class Scored:
    """One pair of answers of the set, as the report scores it."""

    item: str
    a: str
    b: str
    copy: bool  # one is a labelled copy of the other
    disguises: tuple[str, ...]
    score: float
    shared: float
    flagged: bool


def score_set(threshold: float | None = None) -> list[Scored]:
    """Every pair of answers of each item of the set, scored as the report scores a class made of
    that item's answers (the index's scores and flags, at ``threshold`` or the default)."""
    from itertools import combinations

    from autograder.similarity.boilerplate import boilerplate, reference_kgrams
    from autograder.similarity.engine import Index, fingerprint_source
    from autograder.similarity.pipeline import settings
    from autograder.similarity.sources import Source

    st = settings() if threshold is None else settings(threshold)
    labelled = {frozenset((c.file, c.copy_of)): c.disguises for c in copies()}
    out = []
    for item in items():
        files = independent(item) + [c.file for c in copies() if c.item == item]
        inputs = [fingerprint_source(Source(rel, SET / rel, False, {item: text(rel)}), boilerplate()) for rel in files]
        index = Index(inputs, reference_kgrams(), st)
        reported = {(r[0], r[1]): r for i in range(len(inputs)) for r in index.row(i)}
        for i, j in combinations(range(len(inputs)), 2):
            shared = index.shared_with(index_item(item), i)
            together = 0.0 if shared is None else float(shared[j])
            t = index_item(item)
            smaller = min(index.total[t, i], index.total[t, j])
            row = reported.get((i, j))
            key = frozenset((files[i], files[j]))
            out.append(
                Scored(
                    item,
                    files[i],
                    files[j],
                    key in labelled,
                    labelled.get(key, ()),
                    together / smaller if smaller else 0.0,
                    together,
                    bool(row and row[5]),
                )
            )
    return out


def index_item(item: str) -> int:
    from autograder.similarity.sources import COMPARED

    return COMPARED.index(item)
