"""The student's loop: how long a check cell takes to give its verdict, and how long the whole
solved notebook takes from top to bottom (nbclient, as in JupyterLab's "Run All")."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any
from unittest.mock import patch

from .common import RELEASE_NOTEBOOK, Stopwatch, corpus, log, summary, timings

CHECKED_ITEMS = (
    "affine_forward",
    "affine_backward",
    "relu_forward",
    "relu_backward",
    "inline_question_1_choices",
    "svm_loss",
    "softmax_loss",
    "two_layer_net",
    "inline_question_2_choices",
)


def solved_namespace() -> dict[str, Any]:
    """A notebook namespace: the set-up imports and every solution cell but the training ones."""
    from autograder.course.reference import source_cells

    cells = source_cells()
    ns: dict[str, Any] = {"__name__": "__main__"}
    with patch.dict(os.environ, {"MPLBACKEND": os.environ.get("MPLBACKEND", "Agg")}):  # not for later kernels
        exec(compile(cells["setup_imports"].source, "<setup_imports>", "exec"), ns)  # noqa: S102 - the notebook's cells
    for item in CHECKED_ITEMS:
        exec(compile(cells[item].source, f"<{item}>", "exec"), ns)  # noqa: S102 - the notebook's cells
    return ns


def check_cells(repeats: int = 5) -> dict[str, Any]:
    """Per item: ``self_check(item, globals())`` (the verdict) and the whole check cell (the verdict
    and the original exercise's test that follows it), first call and best of ``repeats``."""
    from autograder.course.reference import source_cells

    ns = solved_namespace()
    self_check = ns["self_check"]
    cells = source_cells()
    out: dict[str, Any] = {}
    for item in CHECKED_ITEMS:
        with contextlib.redirect_stdout(io.StringIO()):
            times = timings(lambda: self_check(item, ns), repeats + 1)  # noqa: B023 - called at once
        entry: dict[str, Any] = {"self_check_first": times[0], "self_check": summary(times[1:])}
        cell = cells.get(f"{item}_check")
        if cell is not None:
            code = compile(cell.source, f"<{item}_check>", "exec")
            with contextlib.redirect_stdout(io.StringIO()):
                entry["check_cell"] = summary(timings(lambda: exec(code, ns), repeats))  # noqa: B023, S102
        out[item] = entry
    return out


def _seconds(cell: Any) -> float | None:
    ex = cell.get("metadata", {}).get("execution", {})
    try:
        a = datetime.fromisoformat(ex["iopub.execute_input"].replace("Z", "+00:00"))
        b = datetime.fromisoformat(ex["shell.execute_reply"].replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return None
    return (b - a).total_seconds()


def whole_notebook(dataset: str, cifar10_dir: Path | None, timeout: int = 1200) -> dict[str, Any]:
    """The release notebook with every answer filled in (``corpus.write_submission``), executed
    with nbclient in its own folder beside a copy of ``twolayer/``."""
    import nbformat
    from nbclient import NotebookClient

    folder = Path(tempfile.mkdtemp(prefix=f"bench-notebook-{dataset}-"))
    kernel_env = {"TWO_LAYER_NET_DATASET": dataset, **({"CIFAR10_DIR": str(cifar10_dir)} if cifar10_dir else {})}
    try:
        shutil.copytree(
            RELEASE_NOTEBOOK.parent / "twolayer",
            folder / "twolayer",
            ignore=shutil.ignore_patterns("__pycache__", "datasets"),
        )
        path = corpus().write_submission(folder / "two_layer_net.ipynb")
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
        )
        error = None
        with Stopwatch() as sw:
            try:
                with patch.dict(os.environ, kernel_env):  # the kernel inherits them
                    client.execute()
            except Exception as exc:  # noqa: BLE001 - a failing cell: report it, with the time so far
                error = f"{type(exc).__name__}: {str(exc)[-500:]}"
        wall = sw.seconds
        cells = {}
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            gid = cell.metadata.get("nbgrader", {}).get("grade_id", "?")
            secs = _seconds(cell)
            if secs is not None:
                cells[gid] = round(secs, 3)
        executed = sum(cells.values())
        return {
            "dataset": dataset,
            "seconds": wall,
            "cells_seconds": executed,
            "kernel_and_overhead_seconds": wall - executed,
            "error": error,
            "slowest_cells": dict(sorted(cells.items(), key=lambda kv: -kv[1])[:8]),
            "cells": cells,
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def benchmark(*, cifar10_dir: Path | None, quick: bool, repeats: int) -> dict[str, Any]:
    log("timing the check cells (self_check) with the reference answers")
    out: dict[str, Any] = {"check_cells": check_cells(repeats=max(10, 5 * repeats))}
    log("running the solved release notebook top to bottom on digits (nbclient)")
    out["notebook"] = {"digits": whole_notebook("digits", None)}
    if cifar10_dir is not None and not quick:
        log("running the solved release notebook top to bottom on cifar10 (nbclient)")
        out["notebook"]["cifar10"] = whole_notebook("cifar10", cifar10_dir)
    return out
