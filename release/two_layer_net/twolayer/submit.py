"""Make the zip to upload to Gradescope: your notebook and ``best_model.npz``, nothing else.

    python -m twolayer.submit                     # the notebook in this folder
    python -m twolayer.submit my_notebook.ipynb   # a notebook of another name

The notebook's last cell calls :func:`submit`. Before writing the zip it checks that the
notebook on disk is a valid notebook (JSON) and, run from the notebook, that the answer cells
on disk are the ones you ran: the grader grades the file, not what you see in the browser.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import zipfile
from pathlib import Path

MODEL_FILE = "best_model.npz"
ZIP_NAME = "two_layer_net_submission.zip"


class SubmitError(Exception):
    """The zip was not written, for the reason given."""


def find_notebook(folder: Path) -> Path:
    """The notebook of ``folder`` (two_layer_net.ipynb if there are several)."""
    found = sorted(p for p in folder.glob("*.ipynb") if p.is_file())
    if len(found) == 1:
        return found[0]
    if (folder / "two_layer_net.ipynb").is_file():
        return folder / "two_layer_net.ipynb"
    raise SubmitError(f"{len(found)} notebooks in {folder}: name the one to submit (submit('name.ipynb')).")


def read_notebook(path: Path) -> dict:
    """The notebook's JSON, or :class:`SubmitError` saying why it cannot be graded."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SubmitError(f"{path} cannot be read: {exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SubmitError(
            f"{path.name} is not valid JSON on disk ({exc}): the grader could not read it. Save the "
            "notebook again from JupyterLab (File > Save Notebook) and run this cell again."
        ) from None
    if not isinstance(nb, dict) or nb.get("nbformat") != 4 or not isinstance(nb.get("cells"), list):
        raise SubmitError(f"{path.name} is JSON but not a Jupyter notebook (version 4): save it from JupyterLab.")
    return nb


def unsaved_answers(nb: dict, executed: list[str]) -> list[str]:
    """grade_ids of answer cells whose text on disk is not any text this kernel ran."""
    ran = {source.strip() for source in executed}
    stale = []
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") != "code" or not meta.get("solution"):
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        if source.strip() not in ran:
            stale.append(meta.get("grade_id", "?"))
    return stale


def _kernel_history() -> list[str] | None:
    """The cells this IPython kernel ran, or None outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return list(shell.user_ns.get("In", [])) if shell is not None else None


#: nbgrader's markers around the solution and the hidden tests: only the source notebook has them.
INSTRUCTOR_MARKER = re.compile(r"^\s*### BEGIN (?:SOLUTION|HIDDEN TESTS)", re.MULTILINE)


def not_a_students_run(nb: dict) -> str:
    """Why no zip is written for this run ("" when one is): nbgrader executing the notebook
    (autograde, validate), or the instructor's source version, which holds the solution: its zip
    would sit in source/ beside the notebook, one step away from a release."""
    if os.environ.get("NBGRADER_EXECUTION"):
        return f"nbgrader is running this notebook ({os.environ['NBGRADER_EXECUTION']})"
    for cell in nb["cells"]:
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        if INSTRUCTOR_MARKER.search(source):
            return "this is the instructor's version of the notebook (it holds the solution)"
    return ""


def submit(notebook: str | Path | None = None, out: str | Path | None = None) -> Path | None:
    """Write the zip to upload (the notebook and best_model.npz beside it); return its path (None
    when it is not a student's run: nbgrader's, or the instructor's source notebook)."""
    path = Path(notebook) if notebook else find_notebook(Path.cwd())
    nb = read_notebook(path)
    why_not = not_a_students_run(nb)
    if why_not:
        print(f"No zip written: {why_not}.")
        return None
    history = _kernel_history()
    if history is not None:
        stale = unsaved_answers(nb, history)
        if stale:
            print(
                f"WARNING: on disk, the answer cell(s) {', '.join(stale)} are not what you ran in this "
                "kernel. The grader grades the saved file: save the notebook (Ctrl-S), and if you edited "
                "those cells, run them and this cell again."
            )
    model = path.with_name(MODEL_FILE)
    target = Path(out) if out else path.with_name(ZIP_NAME)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(path, path.name)
        if model.is_file():
            z.write(model, MODEL_FILE)
    held = path.name + (f" and {MODEL_FILE}" if model.is_file() else "")
    print(f"Wrote {target.name} ({held}): upload it to Gradescope.")
    if not model.is_file():
        print(f"(No {MODEL_FILE} beside the notebook: the grader will train your search itself.)")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m twolayer.submit", description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook", nargs="?", help="the notebook (default: the one in this folder)")
    parser.add_argument("--out", help=f"the zip to write (default: {ZIP_NAME} beside the notebook)")
    args = parser.parse_args(argv)
    try:
        submit(args.notebook, args.out)
    except SubmitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
