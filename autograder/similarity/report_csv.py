"""The CSV report: one row per reported pair and answer cell (or written answer) both sides
answered; ``written_score`` is the pair's score over the written answers (empty: none both
answered)."""

from __future__ import annotations

import csv
import io

from .results import SimilarityReport

COLUMNS = (
    "rank",
    "a",
    "b",
    "against_known",
    "notebook_score",
    "pair_flagged",
    "written_score",
    "item",
    "score",
    "fraction_a_in_b",
    "fraction_b_in_a",
    "shared",
    "weight_a",
    "weight_b",
    "item_flagged",
)


def to_csv(report: SimilarityReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for rank, pair in enumerate(report.pairs, 1):
        for s in pair.items.values():
            writer.writerow(
                [
                    rank,
                    pair.a,
                    pair.b,
                    int(pair.against_known),
                    f"{pair.score:.3f}",
                    int(pair.flagged),
                    "" if pair.written is None else f"{pair.written:.3f}",
                    s.item,
                    f"{s.score:.3f}",
                    f"{s.fraction_a:.3f}",
                    f"{s.fraction_b:.3f}",
                    f"{s.shared:g}",
                    f"{s.weight_a:g}",
                    f"{s.weight_b:g}",
                    int(s.flagged),
                ]
            )
    return out.getvalue()
