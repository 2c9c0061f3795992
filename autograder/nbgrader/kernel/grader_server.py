"""The grading service of the sandboxed kernel: its launcher, outside the sandbox, grades the
hidden checks that ``check_hidden`` (``autograder/nbgrader/hidden.py``) asks for over a unix
socket (``$TWO_LAYER_NET_GRADER_SOCKET``, read-only inside the sandbox).

The launcher grades item X with ``python -I -m autograder check <snapshot> --item X``
(:mod:`autograder.nbgrader.kernel.hidden_checks`; the student code runs in the grader's own sandboxed
worker, as always) and answers with its output and exit status. ``<snapshot>`` is the notebook
as nbgrader put it into the folder before the kernel started: student code cannot swap it. Each
item is graded once per kernel (a later request gets the same answer), so the grader is no oracle
to try answers against. The items that need no trained model are graded together
(:class:`~autograder.nbgrader.kernel.hidden_checks.Batch`).
"""

from __future__ import annotations

import io
import json
import re
import select
import socket
import struct
import sys
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path

from autograder.course.names import NOTEBOOK_FILE

from . import hidden_checks
from .hidden_checks import GRADER_FAILED, Answer

MAX_HEADER = 64 * 1024
MAX_PARAMS = 256 * 1024**2  # bytes of the .npz of one model (also its unpacked size)
REQUEST_TIMEOUT = 60.0  # to receive one request


def recv_exact(conn: socket.socket, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = conn.recv(min(n - got, 1 << 20))
        if not chunk:
            raise ConnectionError("the client went away")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def check_params(data: bytes) -> str | None:
    """None if ``data`` is an uncompressed-size-bounded .npz of plain arrays, else why not."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            if len(infos) > 64 or sum(i.file_size for i in infos) > MAX_PARAMS:
                return "too many or too large arrays"
            if not all(re.fullmatch(r"[\w.-]{1,64}\.npy", i.filename) for i in infos):
                return "unexpected entries"
    except zipfile.BadZipFile:
        return "not an .npz file"
    return None


def hung_up(conn: socket.socket, wait: float = 0.05) -> bool:
    """Waits up to ``wait`` seconds for the client. While its request is graded it only waits:
    anything it does (closing its end: interrupted; or sending more than its request) ends the
    request."""
    ready, _, _ = select.select([conn], [], [], wait)
    return bool(ready)


def _code_items() -> set[str]:
    from autograder.course.items import ITEMS

    return {item.name for item in ITEMS if item.kind == "code"}


class GraderServer(threading.Thread):
    """Grades the hidden checks of one item at a time for the kernel, over a unix socket.

    Request: ``struct "<II"`` (header length, payload length), a JSON header ``{"item": ...}``,
    the payload (the model's parameters as .npz, or nothing). Reply: ``struct "<I"`` and a JSON
    ``{"stdout", "stderr", "returncode", "points"}`` (the points of the item's hidden cell).
    ``on_verdict(item, passed, points)`` is told each hidden verdict when its cell asked for it,
    ``on_visible(item, passed, points)`` the verdicts of the visible checks that the grader ran
    along (those of the items that need no model), with the points of the visible cell.
    """

    def __init__(
        self,
        path: Path,
        snapshot: Path | None,
        workdir: Path,
        on_verdict: Callable[[str, bool, float | None], None],
        on_visible: Callable[[str, bool, float | None], None] | None = None,
        on_grader_failure: Callable[[str], None] | None = None,
    ):
        super().__init__(name="grader-server", daemon=True)
        self.path, self.snapshot, self.workdir, self.on_verdict = path, snapshot, workdir, on_verdict
        self.on_visible, self.on_grader_failure = on_visible, on_grader_failure
        self.items = _code_items()
        self.answers: dict[str, Answer] = {}
        from autograder.course.items import CODE_ITEMS  # the training items' checks need the kernel's model

        self.batch_items = sorted(item for item in self.items if item in CODE_ITEMS)
        self.batch: hidden_checks.Batch | None = None
        self.batch_failure_told = False
        self.stopping = threading.Event()
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(str(path))
        self.sock.listen(1)
        self.sock.settimeout(0.5)

    def stop(self) -> None:
        """Stop serving; kill the grader processes still running."""
        self.stopping.set()
        if self.is_alive():
            self.join(timeout=15)
        if self.batch is not None:
            self.batch.stop()
        self.sock.close()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                try:
                    self.handle(conn)
                except Exception as exc:  # noqa: BLE001 - a bad request costs that request only
                    try:
                        self._reply(
                            conn,
                            {
                                "stdout": "",
                                "stderr": f"bad request: {type(exc).__name__}: {exc}"[:500],
                                "returncode": 2,
                            },
                        )
                    except OSError:
                        pass

    def _reply(self, conn: socket.socket, answer: Answer) -> None:
        data = json.dumps({key: answer.get(key) for key in ("stdout", "stderr", "returncode", "points")}).encode()
        conn.sendall(struct.pack("<I", len(data)) + data)

    def handle(self, conn: socket.socket) -> None:
        conn.settimeout(REQUEST_TIMEOUT)
        nh, npay = struct.unpack("<II", recv_exact(conn, 8))
        if nh > MAX_HEADER or npay > MAX_PARAMS:
            raise ValueError("request too large")
        header = json.loads(recv_exact(conn, nh))
        params = recv_exact(conn, npay) if npay else b""
        item = header.get("item") if isinstance(header, dict) else None
        if not isinstance(item, str) or item not in self.items:
            raise ValueError(f"unknown item {str(item)[:40]!r}")
        if item not in self.answers:  # graded once per kernel: later, the same answer again
            answer = self.grade(item, params, lambda: self.stopping.is_set() or hung_up(conn))
            if answer is None:  # the client went away (interrupted): no verdict
                return
            self.answers[item] = answer
            self.on_verdict(item, answer["returncode"] == 0, answer.get("points"))
            if answer["returncode"] == GRADER_FAILED and self.on_grader_failure:
                self.on_grader_failure(f"{item}: {answer['stdout'].strip()[-500:]}")
        self._reply(conn, self.answers[item])

    def grade(self, item: str, params: bytes, cancelled: Callable[[], bool]) -> Answer | None:
        """The answer for ``item``; None if ``cancelled()`` became true first."""

        def failed(why: str) -> Answer:
            return {"stdout": f"{item}: {why}", "stderr": "", "returncode": 1}

        problem = check_params(params) if params else None
        if problem:
            return failed(f"the model's parameters cannot be graded ({problem})")
        if self.snapshot is None:
            return failed(f"could not be graded: there was no {NOTEBOOK_FILE} in the folder when the kernel started")
        if not params and item in self.batch_items:
            return self._untrained(item, cancelled)
        extra: list[str] = []
        if params:
            path = self.workdir / f"params-{item}.npz"
            path.write_bytes(params)
            extra = ["--params", str(path)]
        ran = hidden_checks.run_check(
            hidden_checks.item_args(self.snapshot, [item], "--json", *extra), cancelled=cancelled, workdir=self.workdir
        )
        if ran is None:
            return None
        if ran == "timeout":
            return failed(f"the hidden checks did not finish within {hidden_checks.CHECK_TIMEOUT:.0f} s")
        stdout, stderr, returncode = ran
        if returncode != 0:  # GRADER_FAILED: the grader's failure, not the notebook's
            return {"stdout": f"{item}: the hidden checks could not run", "stderr": stderr, "returncode": returncode}
        try:
            return hidden_checks.parse_answers(stdout, [item])[item]
        except ValueError as exc:
            return failed(f"the hidden checks could not run: {exc}")

    def _untrained(self, item: str, cancelled: Callable[[], bool]) -> Answer | None:
        """From the batch (started by the first such request); alone if the batch is late or failed."""
        if self.batch is None:
            self.batch = hidden_checks.Batch(
                self.snapshot, self.batch_items, workdir=self.workdir, on_visible=self._visible
            )
        answer = self.batch.answer(item, cancelled)
        if answer == hidden_checks.HUNG_UP:
            return None
        if isinstance(answer, dict):
            return answer
        if self.batch.problem and not self.batch_failure_told:
            self.batch_failure_told = True
            self._log(f"grading the hidden checks together failed ({self.batch.problem}); they are graded one by one")
        got = hidden_checks.graded_together(self.snapshot, [item], cancelled=cancelled, workdir=self.workdir)
        if got is None:
            return None
        if isinstance(got, str):
            return {"stdout": f"{item}: the hidden checks could not run: {got}", "stderr": "", "returncode": 1}
        if got[item].get("visible") is not None:
            self._visible(item, got[item]["visible"] is True, got[item].get("visible_points"))
        return got[item]

    def _visible(self, item: str, passed: bool, points: float | None) -> None:
        if self.on_visible:
            self.on_visible(item, passed, points)

    @staticmethod
    def _log(message: str) -> None:
        print(f"two_layer_net sandbox: {message}", file=sys.stderr, flush=True)
