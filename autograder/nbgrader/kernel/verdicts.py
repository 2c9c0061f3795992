"""The sandbox's record of a kernel, and what nbgrader makes of it after the execution.

The launcher records, outside the sandbox (``<connection file name>.sandbox`` in the folder of
the ipc address, a private folder of the nbgrader process), the verdicts of the hidden checks it
ran and of the visible checks (the grader runs those too when it grades the items that need no
model), with the points the grader computed for each of those cells. ``SandboxedExecute``
(``autograder/nbgrader/preprocessors/sandboxedexecute.py``) calls :func:`after_execution`: every test
cell of an item gets the points the grader computed for it, whatever the kernel printed or raised: its
value (the number nbgrader reads as a test cell's points) when the grader gave some, an error when
it gave none or never saw the cell's item; so replacing ``check_hidden`` or ``self_check`` inside
the kernel gains nothing, and nbgrader gives the same partial points as the course grader.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

from autograder import sandbox
from autograder.course.names import ASSIGNMENT
from autograder.sandbox import users

from .cleanup import sanitize_folder

HIDDEN_CALL = re.compile(r"""check_hidden\(\s*["'](\w+)["']""")
VISIBLE_CALL = re.compile(r"""self_check\(\s*["'](\w+)["']""")


def state_path(connection_file: str | os.PathLike, ip: str) -> Path:
    """Where the launcher records the sandbox's state: in the folder of the ipc address, a
    private folder of the nbgrader process (ipc.ipc_address()) that it removes when it exits."""
    return Path(ip).parent / f"{Path(connection_file).name}.sandbox"


def write_state(path: Path, state: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(state, f)
    os.replace(tmp, path)


def read_state(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


class NotGraded(RuntimeError):
    """The notebook is not graded, and it is not the student's doing: the sandbox could not be set
    up for it (none of its code ran), or the grader failed on it. nbgrader fails the notebook
    (it keeps no autograded copy and gives it no score) and logs this message."""


METADATA_KEY = ASSIGNMENT  # the autograded notebook's metadata: what contained its code


def after_execution(km: Any, nb: Any, resources: dict, log: Any = None) -> None:
    """After nbgrader executed ``nb`` in the course's kernel (kernel manager ``km``): make sure
    nothing of the sandbox runs any more, clean the submission folder, record in the notebook's
    metadata what contained its code, and fail every hidden test cell whose item the grader did
    not pass, and every visible test cell (``self_check``) whose checks the grader, running them
    on the snapshot as ``python -m autograder grade`` does, did not pass: what student code did
    to the kernel (``self_check = lambda *a: None``) gains nothing, with or without a sandbox.
    :class:`NotGraded` where the launcher refused to run the notebook or the grader failed."""
    connection_file, ip = getattr(km, "connection_file", None), getattr(km, "ip", "")
    if not connection_file or not os.path.isabs(ip or ""):
        return
    path = state_path(connection_file, ip)
    state = read_state(path)
    try:
        path.unlink()
    except OSError:
        pass
    if state is None:  # the launcher never started: nothing ran (nbgrader says why)
        return
    if state.get("refused"):
        fix = f" Fix: {state['fix']}." if state.get("fix") else ""
        raise NotGraded(
            f"NOT GRADED, and not the student's doing: the sandbox could not be set up for this notebook, "
            f"so none of its code ran: {state['refused']}.{fix}"
        )
    nb.metadata[METADATA_KEY] = {"sandbox": state.get("containment", ""), "sandboxed": bool(state.get("sandboxed"))}
    if not state.get("sandboxed") and log:
        log.warning("The notebook was executed WITHOUT a sandbox: %s", state.get("containment", ""))
    sandbox.remove_cgroups(state.get("cgroups", []))
    if state.get("uid") is not None and not state.get("finished"):  # the launcher was killed
        users.reap(int(state["uid"]))
    if state.get("private") and not state.get("finished"):  # the launcher was killed
        shutil.rmtree(state["private"], ignore_errors=True)
    folder = state.get("cwd") or (resources or {}).get("metadata", {}).get("path")
    if folder:
        removed = sanitize_folder(Path(folder))
        if removed and log:
            log.warning("Removed links and special files the notebook left in its folder: %s", ", ".join(removed[:20]))
    if state.get("grader_failure"):
        raise NotGraded(
            "NOT GRADED, and not the student's doing: the grader failed on this notebook's hidden checks: "
            f"{state['grader_failure']}"
        )
    for cell in nb.cells:
        _grade_cell(cell, state, log)


def _graded(kind: str, item: str, state: dict) -> float | None:
    """The points the grader gave ``item``'s cell of ``kind`` ("verdicts": hidden, or "visible"), or
    None when it never saw it (a record without points: all of them if it passed, else none)."""
    passed = state.get(kind, {}).get(item)
    if passed is None:
        return None
    points = state.get("points", {}).get(kind, {}).get(item)
    return float(points) if points is not None else (float("inf") if passed is True else 0.0)


def _grade_cell(cell: Any, state: dict, log: Any) -> None:
    """Give a test cell the points the grader computed for its item's cell (see the module's doc)."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    if cell.get("cell_type") != "code" or not meta.get("grade"):
        return
    source = cell.get("source", "")
    calls = [("verdicts", i) for i in HIDDEN_CALL.findall(source)] + [
        ("visible", i) for i in VISIBLE_CALL.findall(source)
    ]
    if not calls:
        return
    most = float(meta.get("points", 0))
    graded = [_graded(kind, item, state) for kind, item in calls]
    points = 0.0 if None in graded else max(0.0, min(most, *graded))
    # The kernel's own value of the cell never counts (nbgrader would read it as the cell's points).
    outputs = cell["outputs"] = [out for out in cell.get("outputs", []) if out.get("output_type") != "execute_result"]
    if points > 0:
        _give(cell, points, most)
        return
    if any(out.get("output_type") == "error" for out in outputs):
        return  # failed already, and the kernel's error says why
    problems = []
    for (kind, item), got in zip(calls, graded, strict=True):
        if kind == "verdicts" and got is None:
            problems.append(
                f"{item}: the grader did not pass the hidden checks of this item (they did not reach the "
                "grader: was check_hidden replaced?)"
            )
        elif kind == "visible" and got is None:
            problems.append(
                f"{item}: the grader could not confirm these checks (its run of them failed or "
                "never started: see this item's hidden test cell; was check_hidden replaced?)"
            )
        elif got is not None and got <= 0:
            problems.append(
                f"{item}: these checks fail when the grader runs your answer cells on their own "
                "(does an answer cell use something defined outside the answer cells?)"
                if kind == "visible"
                else f"{item}: the grader gave the hidden checks of this item no points"
            )
    ename = "HiddenChecksFailed" if calls[0][0] == "verdicts" else "ChecksFailed"
    message = "; ".join(problems)
    from nbformat import v4

    outputs.append(v4.new_output("error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"]))
    if log:
        log.warning("Test cell %s: %s", meta.get("grade_id"), message)


def _give(cell: Any, points: float, most: float) -> None:
    """The cell's outputs as the kernel left them, as text (its errors too: nbgrader would read an
    error or anything on stderr as no points), then the grader's points as the cell's value."""
    from nbformat import v4

    kept, said = [], False
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind == "error":
            said = True
            out = v4.new_output("stream", name="stdout", text=f"{out.get('ename')}: {out.get('evalue')}\n")
        elif kind == "stream" and out.get("name") == "stderr":
            out = v4.new_output("stream", name="stdout", text=out.get("text", ""))
        kept.append(out)
    if said or points < most:
        kept.append(
            v4.new_output("stream", name="stdout", text=f"The grader gives this cell {points:g} of {most:g} points.\n")
        )
    kept.append(
        v4.new_output(
            "execute_result", data={"text/plain": repr(float(points))}, execution_count=cell.get("execution_count")
        )
    )
    cell["outputs"] = kept
