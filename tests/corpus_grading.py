"""The corpus of tests/corpus.py graded in this process: what tests/test_autograder/test_grading.py checks and
what tools/mistakes_table.py writes into docs/mistakes.md, graded the same way for both."""

from __future__ import annotations

from pathlib import Path

import corpus
from autograder.batch.jobs import grade_each
from autograder.course.items import CODE_ITEMS, TRAINING_ITEMS
from autograder.grading.options import Options
from autograder.grading.results import SubmissionResult

SEED = 1234


def grade_all(
    folder: Path, subs: dict[str, dict[str, str]], items_of: dict[str, tuple[str, ...] | None], **options
) -> dict[str, SubmissionResult]:
    """Each submission (name -> answers changed from the solution) written into ``folder`` and graded
    on the items ``items_of[name]`` (None: all), two at a time, as `python -m autograder grade --jobs 2`."""
    tasks = [
        (
            corpus.write_submission(
                folder / name.replace(" ", "_") / "two_layer_net" / "two_layer_net.ipynb", subs[name]
            ),
            Options(seed=SEED, items=items_of[name], **options),
        )
        for name in subs
    ]
    return dict(zip(subs, grade_each(tasks, jobs=2, progress=False), strict=True))


def grade_mistakes(folder: Path) -> dict[str, SubmissionResult]:
    """Every mistake of ``corpus.MISTAKES`` graded: on its own item when that one trains a model,
    else on all the code items (the layers' mistakes also show in the items that call them)."""
    subs = {m.name: m.answers for m in corpus.MISTAKES}
    items = {m.name: ((m.item,) if m.item in TRAINING_ITEMS else CODE_ITEMS) for m in corpus.MISTAKES}
    return grade_all(folder, subs, items)
