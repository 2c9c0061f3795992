"""The labelled calibration set of the similarity report (tests/files/similarity, its README) as
the tests and the benchmark use it: the answers per item, the labelled copies, and classes of
notebooks built from them."""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from functools import lru_cache
from hashlib import blake2b
from itertools import combinations
from pathlib import Path

import numpy as np

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


def score_set(threshold: float | None = None, rule=None) -> list[Scored]:
    """Every pair of answers of each item of the set, scored as the report scores a class made of
    that item's answers (the index's scores and flags, at ``threshold`` or the default, with the
    shipped background corpus), with ``rule`` (default: the report's)."""
    from autograder.similarity import background, calibration
    from autograder.similarity.boilerplate import boilerplate, reference_kgrams
    from autograder.similarity.engine import Index, fingerprint_source
    from autograder.similarity.pipeline import settings
    from autograder.similarity.sources import Source

    rule = calibration.RULE if rule is None else rule
    st = settings(calibration.THRESHOLD if threshold is None else threshold, rule)
    labelled = {frozenset((c.file, c.copy_of)): c.disguises for c in copies()}
    out = []
    for item in items():
        files = independent(item) + [c.file for c in copies() if c.item == item]
        inputs = [fingerprint_source(Source(rel, SET / rel, False, {item: text(rel)}), boilerplate()) for rel in files]
        index = Index(inputs, reference_kgrams(), st, background.shipped())
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


# --- The real set (tests/files/similarity/real, its README): fingerprints of public solutions ---

REAL = SET / "real"
KINDS = ("comments", "renamed", "reordered", "dead_code", "combined")


@lru_cache(maxsize=1)
def real_answers() -> dict[str, dict[str, np.ndarray]]:
    """label -> item -> every k-gram (or shingle) hash of that answer, in order. A label is an
    author (owner of a public repository), or ``<author>~<kind>`` for a disguised copy. (Read
    only: the same dict for every caller.)"""
    sys.path.insert(0, str(SET.parents[2] / "tools"))
    from similarity_fingerprints import decoded

    with np.load(REAL / "fingerprints.npz") as data:
        return decoded(data)


def real_authors() -> list[str]:
    return sorted(label for label in real_answers() if "~" not in label)


def halves(authors: list[str]) -> tuple[list[str], list[str]]:
    """The authors split in two by a hash of their names (no look at their code): the first half
    makes the background corpus, the second is the class the calibration is measured on."""
    first = [a for a in authors if blake2b(a.encode(), digest_size=1).digest()[0] % 2 == 0]
    return first, [a for a in authors if a not in first]


def real_background(authors: list[str]):
    """The background corpus of these authors' answers (as the shipped one is built)."""
    from autograder.similarity.background import build

    answers = real_answers()
    return build([{item: np.unique(h) for item, h in answers[a].items()} for a in authors])


def fingerprinted(label: str, answers: dict, items: tuple[str, ...] | None = None, known: bool = False):
    """An input of the engine from stored hashes, as ``fingerprint_source`` makes it from text:
    winnowed (code) and without the release notebook's starter code and text."""
    from autograder.similarity.boilerplate import boilerplate
    from autograder.similarity.engine import EMPTY, Fingerprinted
    from autograder.similarity.fingerprints import WINDOW, Fingerprints, K, winnow
    from autograder.similarity.results import Entry
    from autograder.similarity.written import SHINGLE, WRITTEN

    prints, notes = {}, {}
    for item, hashes in answers.items():
        if items is not None and item not in items:
            continue
        text = item in WRITTEN
        chosen = winnow(hashes, 1 if text else WINDOW)
        fp = Fingerprints(hashes[chosen], chosen.astype(np.int32), k=SHINGLE if text else K)
        fp = fp.without(boilerplate().get(item, np.zeros(0, np.int64)))
        if len(fp.chosen):
            prints[item] = fp
        else:
            notes[item] = EMPTY
    return Fingerprinted(Entry(label, Path(label), known, {}, notes), prints)


@dataclass(frozen=True)
class RealPair:
    a: str
    b: str
    copy: bool
    kind: str  # the disguise of a copy ("" for independent authors)
    score: float  # notebook score (code)
    written: float | None
    flagged: bool
    flagged_items: tuple[str, ...]
    copied: tuple[str, ...] = ()  # the cells a partial copy took (empty: the whole notebook)


def rates(pairs: list[RealPair]) -> tuple[float, float]:
    """The share of independent pairs flagged, and of copies flagged."""
    independent = [p.flagged for p in pairs if not p.copy]
    copies = [p.flagged for p in pairs if p.copy]
    return sum(independent) / len(independent), sum(copies) / len(copies)


def score_class(inputs: list, background, rule, threshold: float | None = None) -> list[RealPair]:
    """Every pair of a class of ``inputs`` (Fingerprinted), scored and flagged as the report does,
    with ``background`` (None: none), ``rule`` and ``threshold`` (None: the default)."""
    from autograder.similarity import calibration
    from autograder.similarity.boilerplate import reference_kgrams
    from autograder.similarity.engine import CELLS, Index, flags
    from autograder.similarity.pipeline import settings

    st = settings(calibration.THRESHOLD if threshold is None else threshold, rule)
    index = Index(inputs, reference_kgrams(), st, background)
    out = []
    for i in range(index.known_from):
        js = np.arange(i + 1, index.n)
        if not len(js):
            continue
        shared = np.zeros((len(CELLS), len(js)))
        for t in range(len(CELLS)):
            row = index.shared_with(t, i)
            if row is not None:
                shared[t] = row[js]
        wi, wj = index.totals(i, js)
        both = (wi > 0) & (wj > 0)
        score, total, flag, item_flag = flags(shared, wi, wj, both, index.settings)
        for k, j in enumerate(js.tolist()):
            pair = index.pair(
                (i, j, shared[:, k] * both[:, k], float(score[k]), float(total[k]), bool(flag[k]), item_flag[:, k])
            )
            a, b = inputs[i].entry.label, inputs[j].entry.label
            copy = b.split("~")[0] == a.split("~")[0]
            kind = (b.split("~") + [""])[1] if copy else ""
            out.append(RealPair(a, b, copy, kind, pair.score, pair.written, pair.flagged, tuple(pair.flagged_items)))
    return out


def score_real(
    rule=None, *, swap: bool = False, partial: bool = False, threshold: float | None = None
) -> list[RealPair]:
    """The real set as the calibration measures it (docs/similarity.md): the background corpus of
    one half of the authors; every pair of the other half (independent authors: negatives); and,
    for each kind of disguise, that half with a disguised copy of each of its authors (a copy and
    its original: positives). ``partial``: instead of whole copies, each author's copier copies
    two answer cells of theirs (disguised) into the next author's notebook, in place of that
    author's own. ``swap``: the halves the other way round."""
    from autograder.similarity import calibration
    from autograder.similarity.engine import COMPARED

    rule = calibration.RULE if rule is None else rule
    answers = real_answers()
    first, second = halves(real_authors())
    back, evaluated = (second, first) if swap else (first, second)
    background = real_background(back)
    originals = [fingerprinted(a, answers[a]) for a in evaluated]
    out = [] if partial else score_class(originals, background, rule, threshold)
    taken: dict[str, tuple[str, ...]] = {}
    for k, kind in enumerate(KINDS):
        copies = []
        for n, a in enumerate(evaluated):
            copy = answers[f"{a}~{kind}"]
            if partial:  # every two cells in turn, so that each pair of cells is copied about as often
                host = evaluated[(n + 1) % len(evaluated)]
                two = list(combinations([c for c in COMPARED if c in copy and c in answers[host]], 2))
                taken[f"{a}~{kind}"] = two[(n * len(KINDS) + k) % len(two)]
                copy = {**answers[host], **{c: copy[c] for c in taken[f"{a}~{kind}"]}}
            copies.append(fingerprinted(f"{a}~{kind}", copy))
        pairs = score_class(originals + copies, background, rule, threshold)
        out += [replace(p, copied=taken.get(p.b, ())) for p in pairs if p.copy]
    return out


def score_written(rule=None) -> list[RealPair]:
    """The real set's written answers alone, both folds: every pair of the authors of a half who
    answered an inline question (negatives), and each with a disguised copy of their answers
    (sentences reordered, lower case, synonyms: positives), with the other half's background."""
    from autograder.similarity import calibration
    from autograder.similarity.written import WRITTEN

    rule = calibration.RULE if rule is None else rule
    answers = real_answers()
    out = []
    for back, evaluated in (halves(real_authors()), halves(real_authors())[::-1]):
        background = real_background(back)
        originals = [fingerprinted(a, answers[a], WRITTEN) for a in evaluated]
        originals = [o for o in originals if o.prints]
        copies = [
            fingerprinted(f"{o.entry.label}~combined", answers[f"{o.entry.label}~combined"], WRITTEN) for o in originals
        ]
        pairs = score_class(originals + copies, background, rule)
        out += [p for p in pairs if p.copy or ("~" not in p.a and "~" not in p.b)]
    return [p for p in out if p.written is not None]


def score_set_notebooks(rule=None) -> list[tuple[Copy, bool]]:
    """The labelled copies as a student hands them in: with another copied cell. For each copy,
    a pair of notebooks: the original's author has its original and the original of the next
    copy of another cell; the copier has both copies; every other cell of both is an independent
    answer of its own (different on each side). Returns (copy, whether the pair is flagged)."""
    from autograder.similarity import background, calibration
    from autograder.similarity.boilerplate import boilerplate, reference_kgrams
    from autograder.similarity.engine import Index, fingerprint_source
    from autograder.similarity.pipeline import settings
    from autograder.similarity.sources import Source

    rule = calibration.RULE if rule is None else rule
    everything = copies()
    out = []
    for n, c in enumerate(everything):
        partner = next(p for p in everything[n + 1 :] + everything[:n] if p.item != c.item)
        copied = {c.item: (c.copy_of, c.file), partner.item: (partner.copy_of, partner.file)}
        sides: list[dict[str, str]] = [{}, {}]
        for item in items():
            if item in copied:
                sides[0][item], sides[1][item] = (text(f) for f in copied[item])
                continue
            used = {c.copy_of, partner.copy_of}
            own = [f for f in independent(item) if f not in used]
            sides[0][item], sides[1][item] = text(own[n % len(own)]), text(own[(n + 1) % len(own)])
        inputs = [
            fingerprint_source(Source(name, SET / name, False, cells), boilerplate())
            for name, cells in zip(("original", "copier"), sides, strict=True)
        ]
        index = Index(inputs, reference_kgrams(), settings(rule=rule), background.shipped())
        out.append((c, any(r[5] for r in index.row(0))))
    return out
