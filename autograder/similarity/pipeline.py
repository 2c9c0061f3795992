"""A similarity run from start to end: find the inputs, read and fingerprint them (in worker
processes), index, compare, and hand back a typed report. The command line and the tests call
``run``; the report writers take what it returns.
"""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from tqdm import tqdm

from . import background, calibration
from .boilerplate import RELEASE_NOTEBOOK, boilerplate, reference_kgrams
from .engine import Fingerprinted, Index, compare, fingerprint_source
from .fingerprints import WINDOW, K
from .results import Settings, SimilarityReport
from .sources import Skipped, find_inputs, label_of, read_source

SUBMITTED_SUFFIXES = (".ipynb",)
IN_PROCESS_BELOW = 40  # files: fewer are read faster in this process than worker processes start
KNOWN_SUFFIXES = (".ipynb", ".py")


def settings(
    threshold: float = calibration.THRESHOLD, rule: calibration.Rule = calibration.RULE, background_documents: int = 0
) -> Settings:
    return Settings(
        threshold=threshold,
        rule=rule,
        k=K,
        window=WINDOW,
        reference_weight=calibration.REFERENCE_WEIGHT,
        common_fraction=calibration.COMMON_FRACTION,
        min_class_for_common=calibration.MIN_CLASS_FOR_COMMON,
        background_documents=background_documents if rule.background else 0,
    )


def _prepare(job: tuple[Path, Path, bool]) -> Fingerprinted | Skipped:
    path, root, known = job
    source = read_source(path, label_of(path, root, known), known)
    if isinstance(source, Skipped):
        return source
    prepared = fingerprint_source(source, boilerplate(RELEASE_NOTEBOOK))
    if not prepared.prints:
        return Skipped(path, "every answer cell is empty or the release notebook's starter code")
    return prepared


def inputs_of(submitted: Path, known: Path | None = None) -> list[tuple[Path, Path, bool]]:
    """(file, its root folder, whether it is a known solution) of every input, submissions first."""
    jobs = [(p, submitted, False) for p in find_inputs(submitted, SUBMITTED_SUFFIXES)]
    if known is not None:
        jobs += [(p, known, True) for p in find_inputs(known, KNOWN_SUFFIXES)]
    return jobs


def run(
    submitted: Path,
    known: Path | None = None,
    *,
    threshold: float = calibration.THRESHOLD,
    jobs: int = 2,
    max_pairs: int = 1000,
    progress: bool = False,
) -> SimilarityReport:
    """Compare every submission under ``submitted`` with every other and with every known
    solution under ``known``. Raises ``FileNotFoundError`` for a folder that is not there and
    ``ValueError`` when fewer than two inputs can be compared."""
    started = time.monotonic()
    todo = inputs_of(Path(submitted), Path(known) if known is not None else None)
    boilerplate(RELEASE_NOTEBOOK)  # read here first: a missing release notebook stops the run at once
    background.shipped()  # and so does a missing background corpus
    reference = reference_kgrams()
    prepared: list[Fingerprinted] = []
    skipped: list[Skipped] = []
    bar = tqdm(total=len(todo), desc="reading", unit="file", disable=not progress, leave=False)
    for result in _map(_prepare, todo, jobs):
        (skipped if isinstance(result, Skipped) else prepared).append(result)
        bar.update()
    bar.close()
    read = time.monotonic()
    prepared.sort(key=lambda x: (x.entry.known, x.entry.label))
    labels = [x.entry.label for x in prepared]
    if len(set(labels)) != len(labels):
        raise ValueError(
            "two inputs have the same name: " + ", ".join(sorted({x for x in labels if labels.count(x) > 1}))
        )
    if sum(not x.entry.known for x in prepared) < 1 or len(prepared) < 2:
        found = f"{len(prepared)} comparable input(s) of {len(todo)} file(s)"
        raise ValueError(
            f"nothing to compare in {submitted}: {found} (skipped: "
            + "; ".join(f"{s.path.name}: {s.reason}" for s in skipped[:5])
            + "); give a folder of submitted notebooks (two_layer_net.ipynb)"
        )
    world = background.shipped()
    st = settings(threshold, background_documents=world.size)
    index = Index(prepared, reference, st, world)
    indexed = time.monotonic()
    bar = tqdm(total=index.known_from, desc="comparing", unit="submission", disable=not progress, leave=False)
    pairs = compare(index, max_pairs=max_pairs, on_rows=bar.update)
    bar.close()
    done = time.monotonic()
    return SimilarityReport(
        entries={x.entry.label: x.entry for x in prepared},
        pairs=pairs,
        skipped=sorted(skipped, key=lambda s: str(s.path)),
        settings=st,
        compared_pairs=index.compared_pairs,
        seconds=done - started,
        common=index.common,
        phases={"reading": read - started, "indexing": indexed - read, "comparing": done - indexed},
    )


def _map(fn, items: list, jobs: int):
    if jobs <= 1 or len(items) < IN_PROCESS_BELOW:
        yield from map(fn, items)
        return
    # spawn, as the grader's jobs (classes.py): a clean process, not a copy of this one's threads.
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
        yield from pool.map(fn, items, chunksize=max(1, len(items) // (8 * jobs)))
