"""Precision and recall of the similarity report on the labelled set (tests/files/similarity),
as docs/similarity.md shows them: per threshold, per answer cell and per disguise kind.

    .venv/bin/python tools/similarity_calibration.py
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(REPO / "source" / "two_layer_net")]

import corpus_similarity  # noqa: E402 - after the path
from autograder.similarity import calibration  # noqa: E402


def counts(scored: list) -> tuple[int, int, int, int]:
    tp = sum(p.copy and p.flagged for p in scored)
    fp = sum(not p.copy and p.flagged for p in scored)
    fn = sum(p.copy and not p.flagged for p in scored)
    return tp, fp, fn, len(scored) - tp - fp - fn


def line(name: str, scored: list) -> str:
    tp, fp, fn, tn = counts(scored)
    precision = f"{tp / (tp + fp):.2f}" if tp + fp else "-"
    recall = f"{tp / (tp + fn):.2f}" if tp + fn else "-"
    return f"| {name} | {tp} | {fp} | {fn} | {tn} | {precision} | {recall} |"


def main() -> None:
    head = "| {} | flagged copies (TP) | flagged independent (FP) | missed copies (FN) | TN | precision | recall |"
    rule = "|---|---|---|---|---|---|---|"
    print(head.format("threshold"))
    print(rule)
    for threshold in (0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8):
        mark = " (default)" if threshold == calibration.THRESHOLD else ""
        print(line(f"{threshold:g}{mark}", corpus_similarity.score_set(threshold)))
    scored = corpus_similarity.score_set()
    print()
    print(head.format("answer cell (default threshold)"))
    print(rule)
    for item in corpus_similarity.items():
        print(line(item, [p for p in scored if p.item == item]))
    print()
    print("| disguise | copies | flagged | lowest score | median score |")
    print("|---|---|---|---|---|")
    kinds = defaultdict(list)
    for p in scored:
        for kind in p.disguises:
            kinds[kind].append(p)
    for kind, ps in sorted(kinds.items()):
        s = sorted(p.score for p in ps)
        print(f"| {kind} | {len(ps)} | {sum(p.flagged for p in ps)} | {s[0]:.2f} | {s[len(s) // 2]:.2f} |")
    print()
    independent = [p for p in scored if not p.copy]
    top = sorted(independent, key=lambda p: p.score, reverse=True)[:5]
    print("Highest-scoring independent pairs:")
    for p in top:
        pair = f"{Path(p.a).name} / {Path(p.b).name}"
        print(f"- {p.item}: {pair}: {p.score:.2f}, shared {p.shared:g}, flagged {p.flagged}")
    print("Missed copies:")
    for p in scored:
        if p.copy and not p.flagged:
            print(f"- {p.item}: {Path(p.b).name} of {Path(p.a).name}: {p.score:.2f}, shared {p.shared:g}")


if __name__ == "__main__":
    main()
