"""What the hidden test cells of the nbgrader notebook call.

``check_hidden("affine_forward")`` grades that item in a *fresh* grader process, on the
notebook file being autograded, exactly as ``python -m autograder grade`` does: student
code runs in the sandboxed worker, the reference and comparisons in that fresh process. Its
value is the points the grader gives the item's hidden cell (the last expression of the cell:
nbgrader reads a test cell's number as its points); it raises when that is none.
Nothing of the reference enters the student's kernel, and what the student's code did to
this kernel (monkeypatching numpy, the checks, builtins) cannot reach the verdict.
For the training items the kernel hands over the trained parameters only (``.npz``). The
other items are graded together by one background process started on the first call and
handed out one by one (the saved notebook is what is graded; when it changes, they are graded
again); an item whose answer is not there within ``BATCH_WAIT`` is graded on its own
(``autograder/nbgrader/kernel/hidden_checks.py`` runs the grader, the batch included, for this module and
for the sandboxed kernel's launcher alike).

In the sandboxed kernel (``autograder/nbgrader/kernel/``) neither the reference nor the grader
is visible, so ``check_hidden`` asks the kernel's launcher, outside the sandbox, over the unix
socket named by ``$TWO_LAYER_NET_GRADER_SOCKET``; the launcher grades the item the same way and
answers with the output and exit status. This module must import nothing else of ``autograder``:
inside the sandbox it is the package's only module.
"""

from __future__ import annotations

import io
import json
import os
import socket
import struct
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

NOTEBOOK = "two_layer_net.ipynb"
# As hidden_checks.CHECK_TIMEOUT, which cannot be imported inside the sandbox.
TIMEOUT = float(os.environ.get("TWO_LAYER_NET_CHECK_TIMEOUT", "300"))


class HiddenChecksFailed(AssertionError):
    def _render_traceback_(self) -> list[str]:
        return [str(self)]


def _params(model: Any) -> dict[str, np.ndarray] | None:
    """The model's parameters; None for what is not a trained model (``best_model`` still None, a
    search that stopped): then no parameters go to the grader, which trains the item's cells itself,
    as the course grader does (with its correct versions of the items they call that fail their own
    checks), and says why the item fails when it does; nbgrader's points are the course grader's."""
    params = getattr(model, "params", None)
    if not isinstance(params, dict):
        return None
    return {str(k): np.asarray(v) for k, v in params.items()}


def _ask_launcher(path: str, item: str, objects: dict[str, Any]) -> tuple[str, str, int, float | None]:
    """(stdout, stderr, exit status, points) of the hidden checks of ``item``, graded by the launcher."""
    payload = b""
    for model in objects.values():  # as the command line's --params: the last model counts
        params = _params(model)
        if params is not None:
            buffer = io.BytesIO()
            np.savez(buffer, **params)
            payload = buffer.getvalue()
    header = json.dumps({"item": item}).encode()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(TIMEOUT + 60)
        try:
            sock.connect(path)
            sock.sendall(struct.pack("<II", len(header), len(payload)) + header + payload)
            size = struct.unpack("<I", _recv(sock, 4))[0]
            if size > 1024**2:
                raise ConnectionError("oversized answer")
            answer = json.loads(_recv(sock, size))
        except (OSError, ValueError) as exc:
            raise HiddenChecksFailed(
                f"{item}: the hidden checks could not run: the grader did not answer ({type(exc).__name__}: {exc})"
            ) from None
    return (
        str(answer.get("stdout", "")),
        str(answer.get("stderr", "")),
        int(answer.get("returncode", 1)),
        _points(answer.get("points")),
    )


def _points(value: Any) -> float | None:
    return None if value is None else float(value)


def _recv(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("the grader closed the connection")
        data += chunk
    return data


# Outside the sandbox: the grader is here, and autograder.nbgrader.kernel.hidden_checks runs it (the
# batch included). Imported lazily: inside the sandbox it is not there.
_BATCH: dict[tuple, Any] = {}  # (notebook, mtime, size) -> its hidden_checks.Batch


def _batch_items() -> list[str]:
    from autograder.course.items import CODE_ITEMS

    return list(CODE_ITEMS)


def _start_batch(notebook: Path, items: list[str]) -> Any:
    from autograder.nbgrader.kernel.hidden_checks import Batch

    return Batch(notebook, items)


def _run_check(args: list[str], item: str) -> tuple[str, str, int, float | None]:
    """One grader process (``check ... --json``), to its end (killed if the cell is interrupted):
    (stdout, stderr, exit status, points) of ``item``."""
    from autograder.nbgrader.kernel.hidden_checks import parse_answers, run_check

    ran = run_check([*args, "--json"])
    if not isinstance(ran, tuple):
        return "", f"they did not finish within {TIMEOUT:.0f} s", 1, None
    stdout, stderr, returncode = ran
    if returncode != 0:
        return "", stderr, returncode, None
    try:
        answer = parse_answers(stdout, [item])[item]
    except ValueError as exc:
        return "", str(exc), 1, None
    return answer["stdout"], stderr, answer["returncode"], answer["points"]


def _batched(notebook: Path, item: str) -> tuple[str, str, int, float | None] | None:
    """The answer for ``item`` from the batch (hidden_checks.Batch) of the saved notebook, started
    by the first cell that asks and kept for as long as the notebook is unchanged; None when the
    item is not one of the batch's, or the batch failed or is late: the item is graded alone."""
    try:
        st = notebook.stat()
    except OSError:
        return None
    key = (str(notebook), st.st_mtime_ns, st.st_size)
    batch = _BATCH.get(key)
    if batch is None:
        items = _batch_items()
        if item not in items:
            return None
        for old in _BATCH.values():  # the notebook changed: its answers are stale
            old.stop()
        _BATCH.clear()
        batch = _BATCH[key] = _start_batch(notebook, items)
    answer = batch.answer(item)
    if not isinstance(answer, dict):
        return None
    return str(answer.get("stdout", "")), "", int(answer.get("returncode", 1)), _points(answer.get("points"))


def check_hidden(item: str, **objects: Any) -> float | None:
    """The points the grader gives ``item``'s hidden cell (see the module's doc)."""
    launcher = os.environ.get("TWO_LAYER_NET_GRADER_SOCKET")
    if launcher:
        return _report(item, *_ask_launcher(launcher, item, objects))
    notebook = Path.cwd() / NOTEBOOK
    if not objects:
        answer = _batched(notebook, item)
        if answer is not None:
            return _report(item, *answer)
    args = [str(notebook), "--item", item]
    tmp = None
    try:
        for model in objects.values():
            params = _params(model)
            if params is None:
                continue
            fd, tmp = tempfile.mkstemp(suffix=".npz")
            with os.fdopen(fd, "wb") as f:
                np.savez(f, **params)
            args += ["--params", tmp]
        ran = _run_check(args, item)
    finally:
        if tmp:
            os.unlink(tmp)
    return _report(item, *ran)


def _report(item: str, stdout: str, stderr: str, returncode: int, points: float | None) -> float | None:
    """Print what the grader said; the points it gave, or raise when it gave none."""
    print(stdout.strip())
    if returncode != 0 and not points:
        raise HiddenChecksFailed(
            stdout.strip().splitlines()[-1]
            if stdout.strip()
            else f"{item}: the hidden checks could not run: {stderr.strip()[-500:]}"
        )
    return points
