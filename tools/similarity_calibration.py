"""Precision and recall of the similarity report, as docs/similarity.md shows them: on the real
set (public solutions of the exercise, held out: tests/files/similarity/real) and on the labelled
set (tests/files/similarity), with today's rule and with the rule before issue 23.

    .venv/bin/python tools/similarity_calibration.py            # every table (about 3 minutes)
    .venv/bin/python tools/similarity_calibration.py --quick    # the default threshold only
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(REPO / "source" / "two_layer_net")]

import corpus_similarity  # noqa: E402 - after the path
from autograder.similarity import calibration  # noqa: E402

RULES = {"before (issue 15's rule)": calibration.RULE_BEFORE, "after (today's rule)": calibration.RULE}
HEAD = "| {} | copies flagged (TP) | independent flagged (FP) | copies missed (FN) | TN | precision | recall |"
RULE_LINE = "|---|---|---|---|---|---|---|"


def counts(pairs: list) -> tuple[int, int, int, int]:
    tp = sum(p.copy and p.flagged for p in pairs)
    fp = sum(not p.copy and p.flagged for p in pairs)
    fn = sum(p.copy and not p.flagged for p in pairs)
    return tp, fp, fn, len(pairs) - tp - fp - fn


def line(name: str, pairs: list) -> str:
    tp, fp, fn, tn = counts(pairs)
    precision = f"{tp / (tp + fp):.3f}" if tp + fp else "-"
    recall = f"{tp / (tp + fn):.3f}" if tp + fn else "-"
    return f"| {name} | {tp} | {fp} | {fn} | {tn} | {precision} | {recall} |"


def real(rule, threshold: float | None = None, **kw) -> list:
    """Both folds of the real set (each half of the authors measured with the other's background)."""
    return corpus_similarity.score_real(rule, threshold=threshold, **kw) + corpus_similarity.score_real(
        rule, swap=True, threshold=threshold, **kw
    )


def labelled(rule) -> list:
    """The labelled set's copies, two copied cells to a notebook, and its independent answers, every
    pair of each cell (negatives)."""
    cells = corpus_similarity.score_set(rule=rule)
    notebooks = corpus_similarity.score_set_notebooks(rule)
    return [p for p in cells if not p.copy] + [Pair(True, flagged) for _, flagged in notebooks]


@dataclasses.dataclass(frozen=True)
class Pair:
    copy: bool
    flagged: bool


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the default threshold only")
    args = parser.parse_args()
    first, second = corpus_similarity.halves(corpus_similarity.real_authors())
    print(f"Real set: {len(first) + len(second)} authors, halves of {len(first)} and {len(second)}.\n")
    print(HEAD.format("real set, both folds, whole notebooks copied"))
    print(RULE_LINE)
    for name, rule in RULES.items():
        print(line(name, real(rule)))
    for name, rule in RULES.items():
        for swap in (False, True):
            print(line(f"{name}, fold {2 if swap else 1}", corpus_similarity.score_real(rule, swap=swap)))
    print()
    print(HEAD.format("real set, two cells copied into another author's notebook"))
    print(RULE_LINE)
    long_cells = {"two_layer_net", "solver", "hyperparameter_search"}
    for name, rule in RULES.items():
        partial = real(rule, partial=True)
        print(line(name, partial))
        print(line(f"{name}: one of the two a long cell", [p for p in partial if set(p.copied) & long_cells]))
        print(line(f"{name}: two layer or loss cells", [p for p in partial if not set(p.copied) & long_cells]))
    print()
    print(HEAD.format("labelled set: independent cells, two copied cells to a notebook"))
    print(RULE_LINE)
    for name, rule in RULES.items():
        print(line(name, labelled(rule)))
    print()
    print(HEAD.format("labelled set, one cell copied (a class per cell)"))
    print(RULE_LINE)
    for name, rule in RULES.items():
        print(line(name, corpus_similarity.score_set(rule=rule)))
    print()
    after = real(calibration.RULE)
    print("| disguise (real set, after) | copies | flagged |\n|---|---|---|")
    kinds = defaultdict(list)
    for p in after:
        if p.copy:
            kinds[p.kind].append(p.flagged)
    for kind, flags in sorted(kinds.items()):
        print(f"| {kind} | {len(flags)} | {sum(flags)} |")
    print()
    print("Independent real pairs flagged (after):")
    for p in (p for p in after if not p.copy and p.flagged):
        print(f"- {p.a} / {p.b}: notebook {p.score:.2f}, cells {', '.join(p.flagged_items) or 'across cells'}")
    written = corpus_similarity.score_written()
    print()
    print(HEAD.format("written answers alone (both folds)"))
    print(RULE_LINE)
    print(line("after", written))
    top = max((p.written for p in written if not p.copy), default=0)
    low = min((p.written for p in written if p.copy), default=0)
    print(f"highest independent written score {top:.2f}, lowest copy {low:.2f}")
    if args.quick:
        return
    print()
    print(HEAD.format("threshold (real set, both folds, after)"))
    print(RULE_LINE)
    for threshold in (0.4, 0.5, 0.6, 0.7, 0.8):
        mark = " (default)" if threshold == calibration.THRESHOLD else ""
        print(line(f"{threshold:g}{mark}", real(calibration.RULE, threshold)))


if __name__ == "__main__":
    main()
