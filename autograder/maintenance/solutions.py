"""`make solutions`: the executed solution notebook (and an HTML copy) for after the deadline.

The student version with every answer cell filled in from the source notebook, run top to
bottom in a copy of the assignment folder: training log, plots, tuning table and accuracies
included. No hidden tests (they are not in the student version) and no nbgrader markers.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import nbformat

from autograder.course.names import ASSIGNMENT, NOTEBOOK_FILE
from autograder.course.reference import REPO, fill_notebook, solution_answers
from autograder.course.release import copy_assignment

RELEASE = REPO / "release" / ASSIGNMENT
OUT = REPO / "solutions"


def build(out_dir: Path = OUT, *, timeout: int = 1800) -> tuple[Path, Path]:
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tln-solutions-") as tmp:
        work = Path(tmp) / ASSIGNMENT
        copy_assignment(RELEASE, work)  # what the release holds, not what running it left there
        nb_path = fill_notebook(RELEASE / NOTEBOOK_FILE, work / NOTEBOOK_FILE, solution_answers())
        nb = nbformat.read(nb_path, as_version=4)
        nb.metadata["title"] = "two_layer_net: solutions"
        start = time.monotonic()
        NotebookClient(
            nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(work)}}
        ).execute()
        nb.metadata["solutions_seconds"] = round(time.monotonic() - start, 1)
    notebook = out_dir / NOTEBOOK_FILE
    nbformat.write(nb, notebook)
    html, _ = HTMLExporter().from_notebook_node(nb)
    page = out_dir / "two_layer_net.html"
    page.write_text(html, encoding="utf-8")
    return notebook, page
