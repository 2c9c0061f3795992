"""A user of its own per sandboxed process (autograder/sandbox/users.py), live: what holds the
processes and threads where no control group does."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time

import pytest

from autograder.sandbox import users

pytestmark = pytest.mark.skipif(not users.available()[0], reason=f"no sandbox users here: {users.available()[1]}")

BOMB = """
import os, threading, time
threads = 0
try:
    while True:
        threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
        threads += 1
except RuntimeError:
    pass
forks = 0
try:
    while True:
        if os.fork() == 0:
            time.sleep(30)
            os._exit(0)
        forks += 1
except OSError:
    pass
print(threads, forks, flush=True)
"""


def as_user(user: users.SandboxUser, code: str, nproc: int | None = None, **kwargs) -> subprocess.Popen:
    def preexec() -> None:
        os.setsid()
        if nproc is not None:
            resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))

    return subprocess.Popen([*user.command(), sys.executable, "-c", code], preexec_fn=preexec, **kwargs)


def test_leases_are_exclusive_and_hold_rlimit_nproc_for_a_root_grader():
    first, second = users.SandboxUser.lease(), users.SandboxUser.lease()
    try:
        assert first.uid != second.uid and first.uid in users.uid_range()
        # The grader is root, whom RLIMIT_NPROC does not hold: its sandbox user is held to 16
        # processes and threads, threads first (the count is the user's, not the process's).
        proc = as_user(first, BOMB, nproc=16, stdout=subprocess.PIPE, text=True)
        threads, forks = map(int, proc.communicate(timeout=60)[0].split())
        assert threads == 15 and forks == 0
    finally:
        first.release()
        second.release()


def test_what_a_user_leaves_is_killed_with_it_and_at_its_next_lease():
    user = users.SandboxUser.lease()
    uid = user.uid
    leftover = as_user(user, "import os, time\nif os.fork() == 0:\n    time.sleep(60)\n", stdout=subprocess.DEVNULL)
    leftover.wait(timeout=30)
    deadline = time.monotonic() + 10
    while user.tasks() != 1 and time.monotonic() < deadline:  # the orphan, sleeping
        time.sleep(0.05)
    assert user.tasks() == 1
    os.close(user._lock_fd)  # as if the grader holding it had been killed: nothing cleaned up
    user._lock_fd = -1
    assert users.tasks_of(uid)
    again = users.SandboxUser.lease()
    try:
        assert again.uid == uid and not users.tasks_of(uid, zombies=False)
    finally:
        again.release()


def test_kill_user_stops_a_fork_bomb_and_reaps_its_children():
    users.adopt_orphans()  # as the sandbox does without a PID namespace
    user = users.SandboxUser.lease()
    try:
        bomb = as_user(
            user, "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n", 48
        )
        deadline = time.monotonic() + 10
        while user.tasks() < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        user.kill_all()
        bomb.wait(timeout=10)
        assert users.tasks_of(user.uid) == []  # zombies included: they would count against RLIMIT_NPROC
    finally:
        user.release()
