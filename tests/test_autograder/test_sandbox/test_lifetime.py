"""Nothing outlives a grading (issue 20): the grader and nbgrader, ended by SIGKILL, SIGTERM or
SIGINT while a notebook loops, forks and writes, leave no process of the grading behind after 10 s,
on each kind of host (bubblewrap's PID namespace; without it, the watchdog and the sandbox user);
and what a grading killed before it could clean up is reaped by the next one.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

import corpus
from autograder.nbgrader.course import Course
from autograder.sandbox import cgroups, landlock, policy, reaper, users
from hosts import isolation

# They measure what is left running: with nothing beside them (make test runs these after the others).
pytestmark = pytest.mark.alone

MARK = str(700000 + os.getpid() % 99999)  # `sleep MARK`: this test process's, not another's
# An answer cell that forks (sleepers), writes (in its own folder) and loops, never returning.
RUNAWAY = (
    "import subprocess\n"
    f"sleepers = [subprocess.Popen(['sleep', '{MARK}']) for _ in range(3)]\n"
    "while True:\n"
    "    with open('progress.txt', 'a') as f:\n"
    "        f.write('x')\n"
)
MODES = {
    "bubblewrap": {},
    "Landlock, sandbox users, no control group": {policy.MODE_ENV: "landlock", cgroups.ENV: "none"},
}


def mode_or_skip(mode: str) -> dict[str, str]:
    if mode == "bubblewrap" and isolation() != "bubblewrap":
        pytest.skip("bubblewrap does not work on this machine")
    if mode != "bubblewrap" and not (landlock.abi() and users.available()[0]):
        pytest.skip("needs Landlock, root and setpriv")
    return MODES[mode]


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def sleepers() -> set[int]:
    out = subprocess.run(["pgrep", "-f", f"^sleep {MARK}$"], capture_output=True, text=True).stdout
    return {int(pid) for pid in out.split()}


def alive(pids: set[int]) -> set[int]:
    left = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            left.add(pid)
    return left


def stop_and_watch(proc: subprocess.Popen, signum: int, wait_for: float = 180) -> tuple[set[int], float]:
    """Wait until the notebook's sleepers run, send ``signum`` to ``proc``; what of its process tree
    is still alive after 10 s, and how long it took to go."""
    deadline = time.monotonic() + wait_for
    while not sleepers():
        assert proc.poll() is None, "the grading ended before the notebook ran"
        assert time.monotonic() < deadline, "the notebook's processes never started"
        time.sleep(0.2)
    time.sleep(1)  # it loops and writes
    tree = descendants(proc.pid) | sleepers()
    proc.send_signal(signum)
    start = time.monotonic()
    while time.monotonic() - start < 10 and alive(tree):
        time.sleep(0.1)
    proc.wait(timeout=30)
    return alive(tree), time.monotonic() - start


@pytest.fixture
def folder():
    base = Path(tempfile.mkdtemp(prefix="tln-lifetime-", dir="/tmp"))
    os.chmod(base, 0o711)  # reachable by a sandbox user of its own
    yield base
    for pid in sleepers():  # never left for the next test, whatever happened
        os.kill(pid, signal.SIGKILL)
    shutil.rmtree(base, ignore_errors=True)


@pytest.mark.parametrize(
    "mode,signum,jobs",
    [
        ("bubblewrap", signal.SIGKILL, 2),
        ("Landlock, sandbox users, no control group", signal.SIGKILL, 2),
        ("bubblewrap", signal.SIGINT, 1),
    ],
)
def test_the_course_grader_stopped_leaves_nothing(folder, mode, signum, jobs):
    env = {**os.environ, **mode_or_skip(mode)}
    for student in ("ann", "bob"):
        answers = {"affine_forward": RUNAWAY + corpus.ANSWERS["affine_forward"]}
        corpus.write_submission(folder / "submitted" / student / "two_layer_net.ipynb", answers)
    command = [sys.executable, "-m", "autograder", "grade", str(folder / "submitted"), "--jobs", str(jobs)]
    command += ["--item", "affine_forward", "--timeout", "600", "--quiet", "--journal", str(folder / "j.jsonl")]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    left, took = stop_and_watch(proc, signum)
    assert not left, f"{len(left)} process(es) of the grading still run 10 s after {signal.Signals(signum).name}"
    print(f"{mode}, {signal.Signals(signum).name}, --jobs {jobs}: all gone in {took:.1f} s")


@pytest.mark.slow
@pytest.mark.parametrize("mode", list(MODES))
def test_nbgrader_autograde_killed_leaves_nothing(folder, mode):
    env = mode_or_skip(mode)
    course = Course(folder / "course", cell_timeout=600, env=env).create()
    answers = {"affine_forward": RUNAWAY + corpus.ANSWERS["affine_forward"]}
    course.submit("kim", corpus.write_submission(folder / "two_layer_net.ipynb", answers))
    (course.root / ".tmp").mkdir(exist_ok=True)
    command = [sys.executable, "-m", "nbgrader", "autograde", "two_layer_net", "--force", "--student=kim"]
    command.append(f"--CourseDirectory.root={course.root}")
    proc = subprocess.Popen(
        command, cwd=course.root, env=course.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    left, took = stop_and_watch(proc, signal.SIGKILL)
    assert not left, f"{len(left)} process(es) of nbgrader's grading still run 10 s after SIGKILL"
    print(f"{mode}: nbgrader's kernel, launcher and the notebook's processes gone in {took:.1f} s")


@pytest.mark.skipif(cgroups.flavour() is None or cgroups.flavour().kind != "cgroup v1", reason="needs cgroup v1")
def test_a_later_run_reaps_what_a_killed_one_left_in_its_control_group():
    """A grader killed before its watchdog could act (all of it at once): its control group, named
    after a process that is gone, still holds a process. The next run kills it and removes the group."""
    dead = _dead_pid()
    group = Path("/sys/fs/cgroup/pids") / f"tln-{dead}-0"
    group.mkdir()
    left = subprocess.Popen(["sleep", MARK], preexec_fn=lambda: (group / "cgroup.procs").write_text(str(os.getpid())))
    try:
        reaped = reaper.reap()
        assert f"control group {group}" in reaped and not alive({left.pid})
        assert not group.exists()
    finally:
        left.kill()
        if group.exists():
            group.rmdir()


@pytest.mark.skipif(not users.available()[0], reason="needs root and setpriv")
def test_a_later_run_reaps_what_a_killed_one_left_as_a_sandbox_user():
    uid = users.uid_range()[-2]
    left = subprocess.Popen(["sleep", MARK], user=uid, group=uid, extra_groups=[])
    try:
        assert f"processes of sandbox user {uid}" in reaper.reap()
        assert not alive({left.pid})  # killed (and reaped by the reaper, its parent here)
    finally:
        left.kill()


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid
