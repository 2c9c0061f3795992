"""Landlock (autograder/sandbox/landlock.py), live: a process restricted to its folder reads and
writes nothing else, connects nowhere over TCP, and no privilege, root's included, lifts it."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading

import pytest

from autograder.sandbox import landlock

pytestmark = pytest.mark.skipif(landlock.abi() == 0, reason="this kernel has no Landlock")

PROBE = """
import json, os, socket, sys
out = {}
for name, path in json.loads(sys.argv[1]).items():
    try:
        with open(path) as f:
            f.read()
        out[name] = "read"
    except OSError as exc:
        out[name] = type(exc).__name__
for name, path in json.loads(sys.argv[2]).items():
    try:
        with open(path, "a") as f:
            f.write("x")
        out[name] = "written"
    except OSError as exc:
        out[name] = type(exc).__name__
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[3])), timeout=5).close()
    out["tcp"] = "connected"
except OSError as exc:
    out["tcp"] = type(exc).__name__
print(json.dumps(out))
"""


def test_a_restricted_process_uses_only_what_it_was_given(tmp_path):
    mine, secret = tmp_path / "mine", tmp_path / "secret"
    mine.mkdir()
    secret.mkdir()
    (mine / "notes.txt").write_text("mine")
    (secret / "reference.py").write_text("the reference")
    server = socket.create_server(("127.0.0.1", 0))
    accepted = []
    threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True).start()

    rules = landlock.Ruleset()
    rules.allow_all(["/usr", "/lib", "/lib64", "/bin", "/etc/ld.so.cache"], landlock.READ)
    rules.allow(sys.base_prefix, landlock.READ)
    rules.allow(sys.prefix, landlock.READ)
    rules.allow(mine, rules.handled)
    reads = {"read own": str(mine / "notes.txt"), "read secret": str(secret / "reference.py"), "read test": __file__}
    writes = {
        "write own": str(mine / "new.txt"),
        "write secret": str(secret / "reference.py"),
        "write beside": str(tmp_path / "x"),
    }
    try:
        proc = subprocess.run(
            [sys.executable, "-c", PROBE, json.dumps(reads), json.dumps(writes), str(server.getsockname()[1])],
            preexec_fn=rules.restrict,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        rules.close()
        server.close()
    assert proc.returncode == 0, proc.stderr
    denied = "PermissionError"  # for root too: Landlock is not a permission that root bypasses
    assert json.loads(proc.stdout) == {
        "read own": "read",
        "read secret": denied,
        "read test": denied,
        "write own": "written",
        "write secret": denied,
        "write beside": denied,
        "tcp": denied if landlock.abi() >= 4 else "connected",
    }
    assert (secret / "reference.py").read_text() == "the reference" and not (tmp_path / "x").exists()
    assert (mine / "new.txt").read_text() == "x"
    assert not accepted or landlock.abi() < 4
