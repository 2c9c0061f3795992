"""Typed results of a similarity run, down to the report writers.

A pair's *score* for an answer cell is the weighted share of the smaller side's fingerprints
that the other side has too (``shared / min(weight_a, weight_b)``): 1.0 when one cell's
distinctive code is all in the other, 0.0 when nothing distinctive is shared. Over the whole
notebook the same ratio is taken with the sums over the cells both sides answered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .calibration import Rule
from .sources import Skipped

Span = tuple[int, int]  # character offsets in a cell's original source


def ratio(shared: float, weight_a: float, weight_b: float) -> float:
    smaller = min(weight_a, weight_b)
    return min(1.0, shared / smaller) if smaller > 0 else 0.0


@dataclass(frozen=True)
class ItemScore:
    """One answer cell of a pair."""

    item: str
    shared: float  # weight of the fingerprints both cells have
    weight_a: float  # weight of all of a's fingerprints in this cell (after boilerplate)
    weight_b: float
    flagged: bool  # behind the pair's flag: flags it alone, or is one of the cells of evidence

    @property
    def score(self) -> float:
        return ratio(self.shared, self.weight_a, self.weight_b)

    @property
    def fraction_a(self) -> float:
        """The share of a's cell found in b's."""
        return min(1.0, self.shared / self.weight_a) if self.weight_a else 0.0

    @property
    def fraction_b(self) -> float:
        return min(1.0, self.shared / self.weight_b) if self.weight_b else 0.0


@dataclass(frozen=True)
class Regions:
    """Where a pair's shared fingerprints stand in each side's cell: ``matched`` count in the
    score, ``common`` are shared too but discounted (the reference solution's, or the class's)."""

    matched_a: tuple[Span, ...] = ()
    matched_b: tuple[Span, ...] = ()
    common_a: tuple[Span, ...] = ()
    common_b: tuple[Span, ...] = ()


@dataclass
class PairResult:
    a: str  # a submission's label
    b: str  # another submission's, or a known solution's ("known: ...")
    items: dict[str, ItemScore]  # the cells both answered
    score: float  # over the whole notebook
    shared: float  # the shared weight over the whole notebook
    flagged: bool
    regions: dict[str, Regions] = field(default_factory=dict)  # filled for the reported pairs
    written: float | None = None  # the written answers' score (None: not both answered one)

    @property
    def against_known(self) -> bool:
        return self.b.startswith("known: ")

    @property
    def flagged_items(self) -> list[str]:
        return [s.item for s in self.items.values() if s.flagged]

    @property
    def code_items(self) -> dict[str, ItemScore]:
        """The answer cells both answered (the items without the written answers)."""
        return {k: v for k, v in self.items.items() if not k.startswith("inline_question_")}


@dataclass(frozen=True)
class Entry:
    """A compared input, as the report shows it: its label, file and cells."""

    label: str
    path: Path
    known: bool
    cells: dict[str, str]
    notes: dict[str, str]  # item -> why that cell is not compared (missing, empty, ...)


@dataclass(frozen=True)
class Settings:
    threshold: float
    rule: Rule
    k: int
    window: int
    reference_weight: float
    common_fraction: float
    min_class_for_common: int
    background_documents: int = 0  # public solutions in the background corpus (0: none used)


@dataclass
class SimilarityReport:
    entries: dict[str, Entry]  # label -> entry (the submissions and known solutions compared)
    pairs: list[PairResult]  # the reported pairs, flagged first, then by score
    skipped: list[Skipped]
    settings: Settings
    compared_pairs: int  # every pair the run considered
    seconds: float
    common: dict[str, int] = field(default_factory=dict)  # item -> fingerprints discounted as common
    phases: dict[str, float] = field(default_factory=dict)  # seconds: reading, indexing, comparing

    @property
    def flagged(self) -> list[PairResult]:
        return [p for p in self.pairs if p.flagged]
