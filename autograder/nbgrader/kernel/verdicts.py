"""The sandbox's record of a kernel, and what nbgrader makes of it after the execution.

The launcher records, outside the sandbox (``<connection file name>.sandbox`` in the folder of
the ipc address, a private folder of the nbgrader process), the verdicts of the hidden checks it
ran and of the visible checks (the grader runs those too when it grades the items that need no
model). ``SandboxedExecute`` (``autograder/nbgrader/preprocessors/sandboxedexecute.py``) calls
:func:`after_execution`: a hidden test cell whose item the grader did not pass counts as failed,
whatever the kernel printed, and so does a visible test cell (``self_check``) whose checks failed
in the grader's run; so replacing ``check_hidden`` or ``self_check`` inside the kernel gains nothing.
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
        _cross_check(cell, state.get("verdicts", {}), state.get("visible", {}), log)


def _cross_check(cell: Any, verdicts: dict[str, bool], visible: dict[str, bool], log: Any) -> None:
    """Fail a test cell that passed in the kernel but not in the grader."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    if cell.get("cell_type") != "code" or not meta.get("grade"):
        return
    source = cell.get("source", "")
    hidden_items, visible_items = HIDDEN_CALL.findall(source), VISIBLE_CALL.findall(source)
    if not hidden_items and not visible_items:
        return
    if any(out.get("output_type") == "error" for out in cell.get("outputs", [])):
        return  # failed already
    problems = [
        f"{item}: the grader did not pass the hidden checks of this item (they did not reach the "
        "grader: was check_hidden replaced?)"
        for item in hidden_items
        if verdicts.get(item) is not True
    ]
    for item in visible_items:
        if visible.get(item) is False:
            problems.append(
                f"{item}: these checks fail when the grader runs your answer cells on their own "
                "(does an answer cell use something defined outside the answer cells?)"
            )
        elif visible.get(item) is not True:
            problems.append(
                f"{item}: the grader could not confirm these checks (its run of them failed or "
                "never started: see this item's hidden test cell; was check_hidden replaced?)"
            )
    if not problems:
        return
    ename = "HiddenChecksFailed" if hidden_items else "ChecksFailed"
    message = "; ".join(problems)
    from nbformat import v4

    cell.setdefault("outputs", []).append(
        v4.new_output("error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"])
    )
    if log:
        log.warning("Test cell %s: %s", meta.get("grade_id"), message)
