"""What every notebook shares by construction, and what the exercise makes common.

*Boilerplate* is the starter code of each answer cell in the release notebook
(``release/two_layer_net/two_layer_net.ipynb``): the ``def`` line, the docstring, ``out = None``,
the TODO comments, ``raise NotImplementedError()``, ``return out, cache``. Every k-gram of it
is removed from every cell before anything is compared: a student who keeps it copies nobody.
It is read from the release notebook itself, never written out here, so a changed starter cell
changes the boilerplate with it.

The *reference solution* (the source notebook's solution cells, ``autograder/course/reference.py``)
is the idiomatic answer many honest students arrive at on a small cell; its fingerprints count
``REFERENCE_WEIGHT`` of a fingerprint of their own (see ``calibration.py``).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from autograder.course.reference import REPO, cells_of, solution_answers

from .fingerprints import all_kgrams
from .sources import COMPARED
from .tokens import normalise
from .written import WRITTEN, release_shingles

RELEASE_NOTEBOOK = REPO / "release" / "two_layer_net" / "two_layer_net.ipynb"


def starter_cells(release: Path = RELEASE_NOTEBOOK) -> dict[str, str]:
    """The release notebook's answer cells as students receive them (item -> source)."""
    with open(release, encoding="utf-8") as f:
        cells = cells_of(json.load(f))
    return {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in cells
        if c.metadata.get("nbgrader", {}).get("solution") and c.metadata["nbgrader"].get("grade_id") in COMPARED
    }


def release_text(release: Path = RELEASE_NOTEBOOK) -> list[str]:
    """The release notebook's markdown cells: the questions and everything else students read."""
    with open(release, encoding="utf-8") as f:
        return [c.source for c in cells_of(json.load(f)) if c.cell_type == "markdown"]


@lru_cache(maxsize=4)
def boilerplate(release: Path = RELEASE_NOTEBOOK) -> dict[str, np.ndarray]:
    """Every k-gram hash of each answer cell's starter code, and every shingle of the release
    notebook's text for the written answers (item -> sorted hashes)."""
    starters = starter_cells(release)
    text = release_shingles(release_text(release))
    return {item: all_kgrams(normalise(starters.get(item, ""))) for item in COMPARED} | dict.fromkeys(WRITTEN, text)


@lru_cache(maxsize=1)
def reference_kgrams() -> dict[str, np.ndarray]:
    """Every k-gram hash of each answer cell of the reference solution (item -> sorted hashes)."""
    answers = solution_answers()
    return {item: all_kgrams(normalise(answers.get(item, ""))) for item in COMPARED}
