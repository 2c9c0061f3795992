"""What holds when the mechanisms this machine has are taken away (issue 12).

This machine has bubblewrap and cgroup v1. A class is graded by ``python -m autograder grade``
three times: without the control groups (``AUTOGRADER_CGROUP=none``: a cgroup v2 host without a
delegated subtree, or a container), without bubblewrap (``AUTOGRADER_SANDBOX=landlock``), and without
either. In each, the fork bomb, the thread bomb, the memory bomb, the processes left behind and the
huge output are stopped within their budget, nothing is left running, and a probing submission
touches and reads nothing outside: not the reference, the hidden checks, another submission or
the gradebook, not even a file its user's own permissions would let it write.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

import corpus
from autograder.grading.options import Options
from autograder.grading.run import grade_submission
from autograder.sandbox import cgroups, landlock, users

# Run with nothing else (make test runs it after the parallel tests): it measures budgets and what
# is left running, which a loaded machine stretches (see the closing note of issue 12).
pytestmark = pytest.mark.alone

REPO = Path(__file__).resolve().parents[3]
MODES = {
    "no cgroup": {cgroups.ENV: "none"},
    "no bubblewrap": {"AUTOGRADER_SANDBOX": "landlock"},
    "neither": {"AUTOGRADER_SANDBOX": "landlock", cgroups.ENV: "none"},
}
# Each mode's sandbox users of their own (other tests may run sandboxes at the same time).
UIDS = {
    mode: range(users.uid_range()[0] + 1000 + 100 * i, users.uid_range()[0] + 1064 + 100 * i)
    for i, mode in enumerate(MODES)
}
BOMBS = {
    "fork bomb": "limit of (64 )?processes and threads",
    "thread bomb": "limit of (64 )?processes and threads",
    "processes left behind": "limit of 64 processes and threads",
    "memory bomb": "ran out of memory|did not finish within 10 s",
    "huge output": "wrote too much output",
}
ITEMS = ("affine_forward", "affine_backward", "relu_forward", "svm_loss", "softmax_loss")
TIMEOUT = 10  # --timeout: one item's checks
BUDGET = 2 * TIMEOUT + 20  # the attacked item's two grade cells at most, and the other items' few seconds

PROBE = """
import glob, json, os
TARGETS = json.loads(TARGETS_JSON)
found = {}
for name, path in TARGETS["read"].items():
    try:
        with open(path, "rb") as f:
            f.read()
        found["read " + name] = "READ"
    except OSError as exc:
        found["read " + name] = type(exc).__name__
for name, path in TARGETS["write"].items():
    try:
        with open(path, "a") as f:
            f.write("pwned")
        found["write " + name] = "WRITTEN"
    except OSError as exc:
        found["write " + name] = type(exc).__name__
    try:
        os.remove(path)
        found["delete " + name] = "DELETED"
    except OSError as exc:
        found["delete " + name] = type(exc).__name__
found["other sandboxes"] = sum(map(os.path.isfile, glob.glob("/tmp/tln-*/**", recursive=True)))
found["class folder"] = sum(map(os.path.isfile, glob.glob(TARGETS["class"] + "/**", recursive=True)))
for view in ("/proc/1/cmdline", "/proc/self/environ", "/proc/self/cmdline"):
    try:
        with open(view, "rb") as f:
            text = f.read().decode(errors="replace")
        found[view] = [name for name, needle in TARGETS["host"].items() if needle in text]
    except OSError as exc:
        found[view] = type(exc).__name__

def affine_forward(x, w, b):
    raise RuntimeError("PROBE " + json.dumps(found) + " END")
"""


def host_paths(class_dir: Path) -> dict[str, str]:
    """What must not show in the sandbox's view of itself."""
    return {
        "course repository": str(REPO),
        "environment": str(Path(sys.prefix).resolve()),
        "python installation": str(Path(sys.base_prefix).resolve()),
        "class folder": str(class_dir),
        "scratch folders": os.path.join(tempfile.gettempdir(), "tln-"),
    }


def sandbox_processes(uids: range) -> list[str]:
    """Processes of sandbox users ``uids`` still running."""
    out = subprocess.run(["ps", "-eo", "uid=,pid=,stat=,args="], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if int(line.split()[0]) in uids]


@pytest.fixture(scope="module", params=list(MODES))
def graded(request, tmp_path_factory):
    mode = request.param
    if "AUTOGRADER_SANDBOX" in MODES[mode] and not landlock.abi():
        pytest.skip("without bubblewrap the files are confined by Landlock, which this kernel lacks")
    base = tmp_path_factory.mktemp(mode.replace(" ", "_"))
    class_dir = base / "submitted"
    # Decoys of what a course keeps beside the class, which even the sandbox user's own
    # permissions would let it write: only the sandbox stops it.
    course = base / "course"
    (course / "autograder" / "suite").mkdir(parents=True)
    shutil.copy(REPO / "source" / "two_layer_net" / "two_layer_net.ipynb", course / "two_layer_net.ipynb")
    shutil.copy(REPO / "autograder" / "suite" / "test_losses.py", course / "autograder" / "suite" / "test_losses.py")
    (course / "gradebook.db").write_text("grades\n")
    for path in [course, *course.rglob("*")]:
        os.chmod(path, 0o777 if path.is_dir() else 0o666)
    decoys = {p: p.read_bytes() for p in course.rglob("*") if p.is_file()}
    alice = corpus.write_submission(class_dir / "alice" / "two_layer_net" / "two_layer_net.ipynb")
    targets = {
        "read": {
            "reference": str(REPO / "source" / "two_layer_net" / "two_layer_net.ipynb"),
            "hidden checks": str(REPO / "autograder" / "suite" / "test_losses.py"),
            "other submission": str(alice),
            "gradebook": str(course / "gradebook.db"),
        },
        "write": {
            "reference": str(course / "two_layer_net.ipynb"),
            "hidden checks": str(course / "autograder" / "suite" / "test_losses.py"),
            "other submission": str(alice),
            "gradebook": str(course / "gradebook.db"),
        },
        "class": str(class_dir),
        "host": host_paths(class_dir),
    }
    alice_before = alice.read_bytes()
    probe = PROBE.replace("TARGETS_JSON", repr(json.dumps(targets)))
    corpus.write_submission(class_dir / "mallory" / "two_layer_net" / "two_layer_net.ipynb", {"affine_forward": probe})
    for h in corpus.HOSTILE:
        if h.name in BOMBS:
            corpus.write_submission(
                class_dir / h.name.replace(" ", "_") / "two_layer_net" / "two_layer_net.ipynb", h.answers
            )
    report = base / "report.json"
    args = ["--jobs", "2", "--format", "json", "-o", str(report), "--csv", str(base / "grades.csv")]
    args += ["--timeout", str(TIMEOUT), "--cell-timeout", "20", "--seed", "1"]
    for item in ITEMS:
        args += ["--item", item]
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(class_dir), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **MODES[mode], users.ENV: f"{UIDS[mode][0]}-{UIDS[mode][-1]}"},
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = {r["student"]: r for r in json.loads(report.read_text())["submissions"]}
    return {
        "mode": mode,
        "results": results,
        "stderr": proc.stderr,
        "seconds": time.monotonic() - start,
        "alice": (alice, alice_before),
        "decoys": decoys,
        "class": class_dir,
    }


def messages(result: dict, item: str) -> str:
    return " ".join(
        f["message"] for c in result["cells"] if c["item"] == item for f in c["findings"] if not f["passed"]
    )


def points(result: dict, item: str) -> float:
    return sum(c["points"] or 0 for c in result["cells"] if c["item"] == item)


def test_the_grader_says_which_mechanisms_are_active(graded):
    stderr = graded["stderr"]
    assert "containment of student code on this host:" in stderr
    if graded["mode"] == "no cgroup":
        assert "isolation: bubblewrap" in stderr and "processes and threads: RLIMIT_NPROC of its own user" in stderr
    else:
        assert "isolation: Landlock ABI" in stderr and "runs as: a user of its own per process" in stderr
    if graded["mode"] == "no bubblewrap":
        assert "processes and threads: cgroup v1 pids limit" in stderr
    print(f"{graded['mode']}: {len(graded['results'])} notebooks in {graded['seconds']:.1f} s")


@pytest.mark.parametrize("bomb", list(BOMBS))
def test_each_bomb_is_stopped_within_its_budget(graded, bomb):
    result = graded["results"][bomb.replace(" ", "_")]
    hostile = next(h for h in corpus.HOSTILE if h.name == bomb)
    assert result["status"] == "graded", result["reason"]
    assert points(result, hostile.item) == 0
    assert re.search(BOMBS[bomb], messages(result, hostile.item)), messages(result, hostile.item)
    for item in hostile.graded_normally:  # the rest of the submission is graded as usual
        assert points(result, item) > 0 and not messages(result, item), messages(result, item)
    assert result["seconds"] < BUDGET, f"{bomb}: {result['seconds']:.1f} s"
    print(f"{graded['mode']}, {bomb}: {result['seconds']:.1f} s")


def test_nothing_outside_is_touched_or_readable(graded):
    message = messages(graded["results"]["mallory"], "affine_forward")
    found = json.loads(re.search(r"PROBE (\{.*?\}) END", message).group(1))
    assert not [k for k, v in found.items() if v in ("READ", "WRITTEN", "DELETED")], found
    assert found["other sandboxes"] == 0 and found["class folder"] == 0, found
    for path, content in graded["decoys"].items():
        assert path.read_bytes() == content, path
    alice, before = graded["alice"]
    assert alice.read_bytes() == before
    assert graded["results"]["alice"]["score"] == graded["results"]["alice"]["max_score"]
    if graded["mode"] == "no cgroup":  # in bubblewrap: nothing of the host in its view of itself
        assert found["/proc/1/cmdline"] == found["/proc/self/environ"] == found["/proc/self/cmdline"] == [], found
    else:  # without bubblewrap: no other process's /proc (Landlock), its own host paths are no secret
        assert found["/proc/1/cmdline"] == "PermissionError", found


def test_nothing_is_left_running(graded):
    assert sandbox_processes(UIDS[graded["mode"]]) == []


def test_processes_left_behind_in_training_fail_fast_not_after_the_cell_timeout(tmp_path, monkeypatch):
    """The issue's case: a softmax_loss that forks and leaves the processes behind, trained with two
    BLAS threads on digits. Before: OpenBLAS, which rebuilds its threads after every fork, waited
    for them forever once the limit was reached, and the grader waited out the 900 s training
    timeout. Now the worker is stopped as soon as it reaches its limit, with a message.

    With the course's default the Solver trains with the grader's correct softmax_loss instead
    (this one fails its own checks: test_stand_ins.py), so the student's forking code never runs in
    training; the setting is turned off here to train with it, as a course that turns it off does."""
    import twolayer.config

    settings = twolayer.config.settings()
    monkeypatch.setattr(
        twolayer.config, "settings", lambda: {**settings, "grading": {"replace_failed_dependencies": False}}
    )
    hostile = next(h for h in corpus.HOSTILE if h.name == "processes left behind")
    path = corpus.write_submission(tmp_path / "eve" / "two_layer_net" / "two_layer_net.ipynb", hostile.answers)
    result = grade_submission(path, Options(seed=1, items=("solver",), threads=2, cell_timeout=900))
    assert result.status == "graded", result.reason
    text = " ".join(f.message for c in result.cells_of("solver") for f in c.failures)
    assert "limit of 64 processes and threads" in text, text
    assert result.seconds < 60, result.seconds
    print(f"processes left behind in training: {result.seconds:.1f} s (cell timeout 900 s)")
