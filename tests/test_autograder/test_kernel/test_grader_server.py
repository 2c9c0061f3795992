"""The grading service of the sandboxed kernel (autograder/nbgrader/kernel/grader_server.py), with the
batch of autograder/nbgrader/kernel/hidden_checks.py: requests are validated, each item answered once,
the untrained items graded by one process, one by one when that fails or is late."""

from __future__ import annotations

import io
import json
import socket
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

import corpus
from autograder.nbgrader.kernel import grader_server, hidden_checks
from autograder.nbgrader.kernel.grader_server import GraderServer


def _request(path: Path, header: bytes, payload: bytes = b"", declared: int | None = None) -> dict:
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(30)
        s.connect(str(path))
        s.sendall(struct.pack("<II", len(header), len(payload) if declared is None else declared) + header + payload)
        size = struct.unpack("<I", s.recv(4))[0]
        data = b""
        while len(data) < size:
            data += s.recv(size - len(data))
        return json.loads(data)


@pytest.fixture
def commands(monkeypatch) -> list[list[str]]:
    """Records the grader processes started (their options and items), and still starts them."""
    calls: list[list[str]] = []
    command = hidden_checks.check_command

    def counted(args):
        calls.append([a for a in args if a.startswith("--") or not a.startswith("/")])
        return command(args)

    monkeypatch.setattr(hidden_checks, "check_command", counted)
    return calls


def _leaky_relu(tmp_path: Path) -> Path:
    mistake = next(m for m in corpus.MISTAKES if m.name == "leaky ReLU")
    return corpus.write_submission(tmp_path / "two_layer_net.ipynb", mistake.answers)


def test_grading_service_accepts_only_items_and_answers_each_once(tmp_path):
    verdicts = []
    server = GraderServer(tmp_path / "g.sock", None, tmp_path, lambda item, ok, points: verdicts.append((item, ok)))
    server.start()
    try:
        sock = tmp_path / "g.sock"
        assert "unknown item" in _request(sock, b'{"item": "../x"}')["stderr"]
        assert "unknown item" in _request(sock, b'{"item": "inline_question_1"}')["stderr"]  # hand-graded
        assert "too large" in _request(sock, b'{"item": "svm_loss"}', declared=2**31)["stderr"]
        assert "bad request" in _request(sock, b"[1, 2]")["stderr"]
        first = _request(sock, b'{"item": "svm_loss"}')
        assert first["returncode"] == 1 and "no two_layer_net.ipynb" in first["stdout"]
        assert _request(sock, b'{"item": "svm_loss"}') == first
        bad_params = _request(sock, b'{"item": "solver"}', b"PK\x03\x04 not a zip")
        assert bad_params["returncode"] == 1 and "not an .npz file" in bad_params["stdout"]
        assert verdicts == [("svm_loss", False), ("solver", False)]
    finally:
        server.stop()


def test_params_are_checked_before_anything_loads_them():
    buffer = io.BytesIO()
    np.savez(buffer, W1=np.ones(3))
    assert grader_server.check_params(buffer.getvalue()) is None
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("W1.npy", b"\0" * (grader_server.MAX_PARAMS + 1))
    assert "too large" in grader_server.check_params(bomb.getvalue())
    odd = io.BytesIO()
    with zipfile.ZipFile(odd, "w") as z:
        z.writestr("../../evil.npy", b"x")
    assert grader_server.check_params(odd.getvalue()) == "unexpected entries"


def test_grading_service_grades_the_untrained_items_in_one_process(tmp_path, commands):
    """One grader process for the nine items that need no model; each verdict still counts only
    when its own hidden cell asks, the visible checks' verdicts of all nine are recorded, and the
    answers are those of one-item grading."""
    snapshot = _leaky_relu(tmp_path)
    verdicts, visible, points = [], {}, {}
    server = GraderServer(
        tmp_path / "g.sock",
        snapshot,
        tmp_path,
        lambda item, ok, got: verdicts.append((item, ok, got)),
        lambda item, ok, got: visible.update({item: ok}) or points.update({item: got}),
    )
    server.start()
    try:
        sock = tmp_path / "g.sock"
        first = _request(sock, b'{"item": "affine_forward"}')
        assert first["returncode"] == 0 and "affine_forward: all hidden checks passed" in first["stdout"]
        assert len(commands) == 1 and "--json" in commands[0] and commands[0].count("--item") == 9
        assert verdicts == [("affine_forward", True, 5.0)]  # the other items' verdicts wait for their cells
        # TwoLayerNet is checked with the correct relu_forward in place of the leaky one: it passes
        assert visible == {
            "affine_forward": True,
            "affine_backward": True,
            "relu_forward": False,
            "relu_backward": True,
            "svm_loss": True,
            "softmax_loss": True,
            "two_layer_net": True,
        }
        assert points == {"affine_forward": 3, "affine_backward": 4, "relu_forward": 0, "relu_backward": 2} | {
            "svm_loss": 3,
            "softmax_loss": 4,
            "two_layer_net": 8,
        }
        relu = _request(sock, b'{"item": "relu_forward"}')
        assert relu["returncode"] == 1 and "relu_forward: hidden checks failed" in relu["stdout"]
        assert "FAIL " in relu["stdout"] and "max(0, x)" in relu["stdout"]
        assert len(commands) == 1
        assert verdicts == [("affine_forward", True, 5.0), ("relu_forward", False, 0.0)]
        assert relu["points"] == 0.0 and first["points"] == 5.0
        assert _request(sock, b'{"item": "relu_forward"}') == relu
    finally:
        server.stop()
    single = subprocess.run(
        [sys.executable, "-I", "-m", "autograder", "check", str(snapshot), "--item", "relu_forward"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert single.returncode == 1

    def fails(text):
        return sorted(line.split(":")[0] for line in text.splitlines() if line.startswith("FAIL"))

    assert fails(single.stdout) == fails(relu["stdout"])


def test_grading_service_grades_one_by_one_when_the_batch_fails(tmp_path, commands, monkeypatch):
    snapshot = _leaky_relu(tmp_path)
    verdicts = []
    command = hidden_checks.check_command
    monkeypatch.setattr(
        hidden_checks,
        "check_command",
        lambda args: command(args) + ["--no-such-option"] if args.count("--item") > 1 else command(args),
    )
    server = GraderServer(tmp_path / "g.sock", snapshot, tmp_path, lambda item, ok, points: verdicts.append((item, ok)))
    server.start()
    try:
        sock = tmp_path / "g.sock"
        assert _request(sock, b'{"item": "relu_forward"}')["returncode"] == 1
        assert _request(sock, b'{"item": "affine_forward"}')["returncode"] == 0
        assert server.batch.problem and len(commands) == 3  # the failed batch, then one process per item
        assert verdicts == [("relu_forward", False), ("affine_forward", True)]
    finally:
        server.stop()


def test_a_slow_batch_neither_holds_up_the_cells_nor_dies_with_an_interrupted_one(tmp_path, commands, monkeypatch):
    """An answer cell that loops makes the batch as slow as its items' timeouts: a cell waits
    BATCH_WAIT for it, then has its item graded alone. A cell interrupted while it waits (the
    client hangs up) does not stop the batch, whose answers later cells get."""
    snapshot = _leaky_relu(tmp_path)
    monkeypatch.setattr(hidden_checks, "BATCH_WAIT", 1.0)
    gate = tmp_path / "gate"
    verdicts = []
    # The batch waits for the gate file before grading (stands in for a slow answer cell).
    wait = f"import os, time, runpy, sys\nwhile not os.path.exists({str(gate)!r}): time.sleep(0.05)\n"
    command = hidden_checks.check_command
    monkeypatch.setattr(
        hidden_checks,
        "check_command",
        lambda args: (
            [
                sys.executable,
                "-I",
                "-c",
                wait + "sys.argv = ['autograder'] + sys.argv[1:]\nrunpy.run_module('autograder', run_name='__main__')",
                *command(args)[4:],
            ]
            if args.count("--item") > 1
            else command(args)
        ),
    )
    server = GraderServer(tmp_path / "g.sock", snapshot, tmp_path, lambda item, ok, points: verdicts.append((item, ok)))
    server.start()
    try:
        sock = tmp_path / "g.sock"
        with socket.socket(socket.AF_UNIX) as s:  # a cell interrupted while it waits
            s.connect(str(sock))
            s.sendall(struct.pack("<II", 26, 0) + b'{"item": "affine_forward"}')
            time.sleep(0.3)
        assert verdicts == []
        start = time.monotonic()
        relu = _request(sock, b'{"item": "relu_forward"}')  # the batch is late: graded alone
        assert relu["returncode"] == 1 and time.monotonic() - start < 30
        assert len(commands) == 2 and commands[1].count("--item") == 1
        gate.write_text("go")
        assert server.batch.done.wait(60)
        assert server.batch.answers is not None and server.batch.problem is None  # it survived the hang-up
        assert _request(sock, b'{"item": "affine_forward"}')["returncode"] == 0
        assert len(commands) == 2  # from the batch
        assert verdicts == [("relu_forward", False), ("affine_forward", True)]
    finally:
        server.stop()


def test_a_stopped_server_leaves_no_grader_running(tmp_path, monkeypatch):
    """Stopping the service (the kernel exits) kills the batch still running."""
    snapshot = _leaky_relu(tmp_path)
    monkeypatch.setattr(hidden_checks, "BATCH_WAIT", 0.5)
    command = hidden_checks.check_command
    monkeypatch.setattr(
        hidden_checks,
        "check_command",
        lambda args: (
            [sys.executable, "-I", "-c", "import time; time.sleep(600)"] if args.count("--item") > 1 else command(args)
        ),
    )
    server = GraderServer(tmp_path / "g.sock", snapshot, tmp_path, lambda item, ok, points: None)
    server.start()
    try:
        _request(tmp_path / "g.sock", b'{"item": "relu_forward"}')
    finally:
        server.stop()
    assert server.batch.done.is_set() and server.batch.problem == "stopped"
