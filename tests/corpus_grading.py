"""The corpus of tests/corpus.py graded in this process: what tests/test_autograder.py checks and
what tools/mistakes_table.py writes into docs/mistakes.md, graded the same way for both."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import corpus
from autograder.grading import CODE_ITEMS, Options, SubmissionResult, grade_submission

SEED = 1234
#: Items a mistake of which is graded alone: each one trains a model.
TRAINING = ("solver", "hyperparameter_search")


def grade_all(
    folder: Path, subs: dict[str, dict[str, str]], items_of: dict[str, tuple[str, ...] | None], **options
) -> dict[str, SubmissionResult]:
    """Each submission (name -> answers changed from the solution) written into ``folder`` and graded
    on the items ``items_of[name]`` (None: all), two at a time."""

    def run(name: str) -> tuple[str, SubmissionResult]:
        path = corpus.write_submission(
            folder / name.replace(" ", "_") / "two_layer_net" / "two_layer_net.ipynb", subs[name]
        )
        return name, grade_submission(path, Options(seed=SEED, items=items_of[name], **options))

    with ThreadPoolExecutor(2) as pool:
        return dict(pool.map(run, subs))


def grade_mistakes(folder: Path) -> dict[str, SubmissionResult]:
    """Every mistake of ``corpus.MISTAKES`` graded: on its own item when that one trains a model,
    else on all the code items (the layers' mistakes also show in the items that call them)."""
    subs = {m.name: m.answers for m in corpus.MISTAKES}
    items = {m.name: ((m.item,) if m.item in TRAINING else CODE_ITEMS) for m in corpus.MISTAKES}
    return grade_all(folder, subs, items)
