"""Running the hidden checks of a notebook outside the student's kernel: ``python -I -m autograder
check NOTEBOOK --item X`` in a fresh process, one item at a time or as a *batch*.

Used by both ways a hidden test cell is graded: ``check_hidden`` in a plain kernel
(``autograder/nbgrader/hidden.py``, which imports this lazily: inside the sandbox it cannot) and
the sandboxed kernel's launcher (:mod:`autograder.nbgrader.kernel.grader_server`).

The batch: the nine items that need no trained model are graded by one process
(``check NOTEBOOK --item A --item B ... --json``; one start-up instead of nine, measured 7.6 s
against 1.5 s), started in the background by the first hidden cell that asks. Each item's answer
is handed out when its own cell asks. A cell waits for it at most ``BATCH_WAIT`` after the batch's
start, then has its item graded alone (an answer cell that loops makes the batch as slow as the
sum of its items' timeouts). A failed batch is not retried. The batch belongs to no cell: an
interrupted cell does not stop it, and a later cell picks its answers up.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

SOCKET_ENV = "TWO_LAYER_NET_GRADER_SOCKET"
CHECK_TIMEOUT = float(os.environ.get("TWO_LAYER_NET_CHECK_TIMEOUT", "300"))
# How long a hidden cell waits for the batch (1-2 s normally) after its start.
BATCH_WAIT = 20.0
MAX_OUTPUT = 20_000  # characters of a check's output kept
HUNG_UP = "hung up"  # what Batch.answer returns when the asking cell went away
# `python -m autograder check`'s exit status (with --json: an item's "returncode") when the grader,
# not the notebook, failed (its sandbox could not start, a bug): nbgrader's kernel then fails the
# whole notebook as not graded instead of scoring a hidden test cell 0 for what the student did not do.
GRADER_FAILED = 3

Answer = dict[str, Any]  # {"stdout", "stderr", "returncode", "points"} and "visible", "visible_points"


def check_command(args: Sequence[str]) -> list[str]:
    """``python -I -m autograder check ARGS`` in a fresh, isolated interpreter."""
    return [sys.executable, "-I", "-m", "autograder", "check", *args]


def item_args(notebook: Path | str, items: Sequence[str], *extra: str) -> list[str]:
    return [str(notebook), *(a for item in items for a in ("--item", item)), *extra]


class CheckProcess:
    """One grader process, in its own session and a private working folder under ``workdir``;
    its output goes to files (no pipe to fill up while nobody reads)."""

    def __init__(self, args: Sequence[str], workdir: Path | str | None = None):
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", SOCKET_ENV)}
        self.cwd = tempfile.mkdtemp(prefix="tln-check-", dir=workdir)
        self.out = tempfile.TemporaryFile(dir=workdir)  # noqa: SIM115 - closed by close()
        self.err = tempfile.TemporaryFile(dir=workdir)  # noqa: SIM115
        self.proc = subprocess.Popen(
            check_command(args),
            stdin=subprocess.DEVNULL,
            stdout=self.out,
            stderr=self.err,
            env=env,
            cwd=self.cwd,
            start_new_session=True,
        )

    def wait(
        self, timeout: float, cancelled: Callable[[], bool] = lambda: False, poll: float = 0.05
    ) -> tuple[str, str, int] | str | None:
        """(stdout, stderr, exit status); "timeout" after ``timeout`` seconds, or None as soon
        as ``cancelled()`` is true (it may itself wait a moment); the process is killed then."""
        deadline = time.monotonic() + timeout
        try:
            while self.proc.poll() is None:
                if cancelled():
                    self.kill()
                    return None
                if time.monotonic() > deadline:
                    self.kill()
                    return "timeout"
                time.sleep(poll)
        except BaseException:  # KeyboardInterrupt: an interrupted cell stops its own check
            self.kill()
            raise
        try:
            self.out.seek(0)
            self.err.seek(0)
            return (
                self.out.read().decode("utf-8", "replace"),
                self.err.read().decode("utf-8", "replace")[-500:],
                self.proc.returncode,
            )
        finally:
            self.close()

    def kill(self) -> None:
        """Kill it; its sandboxed workers die with it (bubblewrap's --die-with-parent), and the
        cgroups it made for them are removed here, since it cannot any more."""
        from autograder import sandbox

        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        sandbox.remove_cgroups(sandbox.cgroups_of(self.proc.pid))
        self.close()

    def close(self) -> None:
        self.out.close()
        self.err.close()
        shutil.rmtree(self.cwd, ignore_errors=True)


def run_check(
    args: Sequence[str],
    *,
    timeout: float | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    workdir: Path | str | None = None,
) -> tuple[str, str, int] | str | None:
    """Runs one grader process to its end: see :meth:`CheckProcess.wait`."""
    return CheckProcess(args, workdir).wait(CHECK_TIMEOUT if timeout is None else timeout, cancelled)


def parse_answers(stdout: str, items: Sequence[str]) -> dict[str, Answer]:
    """Each item's answer from the output of ``check ... --json``; ValueError if it is not that."""
    try:
        answers = json.loads(stdout)["items"]
        return {
            item: {
                "stdout": str(answers[item]["stdout"])[-MAX_OUTPUT:],
                "stderr": "",
                "returncode": int(answers[item]["returncode"]),
                "visible": answers[item].get("visible"),
                "points": _points(answers[item].get("points")),
                "visible_points": _points(answers[item].get("visible_points")),
            }
            for item in items
        }
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"the grader's answer could not be read ({type(exc).__name__}: {str(exc)[:300]})") from None


def _points(value: Any) -> float | None:
    return None if value is None else float(value)


def graded_together(
    notebook: Path | str,
    items: Sequence[str],
    *extra: str,
    cancelled: Callable[[], bool] = lambda: False,
    workdir: Path | str | None = None,
) -> dict[str, Answer] | str | None:
    """The answers for ``items`` from one grader process (``extra``: its other options, such as a
    model's ``--params`` for one item); a string says why that process failed; None:
    ``cancelled()`` became true."""
    ran = run_check(item_args(notebook, items, "--json", *extra), cancelled=cancelled, workdir=workdir)
    if ran is None:
        return None
    if ran == "timeout":
        return f"they did not finish within {CHECK_TIMEOUT:.0f} s"
    stdout, stderr, returncode = ran
    if returncode != 0:
        return f"exit status {returncode}: {stderr.strip()[-300:]}"
    try:
        return parse_answers(stdout, items)
    except ValueError as exc:
        return str(exc)


class Batch:
    """The items that need no trained model, graded together in the background (see the module's
    doc). ``on_visible(item, passed, points)`` is told the verdicts of the visible checks that the batch
    reports, as soon as it has finished."""

    def __init__(
        self,
        notebook: Path | str,
        items: Sequence[str],
        *,
        workdir: Path | str | None = None,
        on_visible: Callable[[str, bool, float | None], None] | None = None,
        wait: float | None = None,
    ):
        self.items = list(items)
        self.wait = BATCH_WAIT if wait is None else wait
        self.answers: dict[str, Answer] | None = None
        self.problem: str | None = None
        self.done = threading.Event()
        self.started = time.monotonic()
        self._stopping = threading.Event()
        self._on_visible = on_visible
        self._thread = threading.Thread(target=self._run, args=(notebook, workdir), name="grader-batch", daemon=True)
        self._thread.start()

    def _run(self, notebook: Path | str, workdir: Path | str | None) -> None:
        try:
            got = graded_together(notebook, self.items, cancelled=self._stopping.is_set, workdir=workdir)
        except Exception as exc:  # noqa: BLE001 - a batch that cannot start: each item alone
            got = f"{type(exc).__name__}: {exc}"
        if isinstance(got, dict):
            self.answers = got
            for item, answer in got.items():
                if self._on_visible and answer.get("visible") is not None:
                    self._on_visible(item, answer["visible"] is True, answer.get("visible_points"))
        else:
            self.problem = got or "stopped"
        self.done.set()

    @property
    def failed(self) -> bool:
        return self.done.is_set() and self.answers is None

    def answer(self, item: str, hung_up: Callable[[], bool] | None = None) -> Answer | str | None:
        """The batch's answer for ``item``; None when the batch failed, has not answered within
        ``wait`` seconds of its start, or has no answer for it; ``HUNG_UP`` as soon as
        ``hung_up()`` (called every few tens of milliseconds, it may wait a moment) is true."""
        while not self.done.is_set():
            remaining = self.started + self.wait - time.monotonic()
            if remaining <= 0:
                return None
            if hung_up is not None and hung_up():
                return HUNG_UP
            self.done.wait(min(remaining, 0.05))
        return (self.answers or {}).get(item)

    def stop(self, timeout: float = 5.0) -> None:
        """Kill the process if it still runs, and wait for the thread."""
        self._stopping.set()
        self._thread.join(timeout)
