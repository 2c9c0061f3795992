"""Control groups (autograder/sandbox/cgroups.py): cgroup v1 live, cgroup v2 and systemd as far as
this machine allows.

This machine mounts cgroup v1 only, and its controllers cannot also appear in a v2 hierarchy (its
``/sys/fs/cgroup/unified`` has none of them): the v2 code path's file operations are tested here
against a folder laid out like ``/sys/fs/cgroup``, and no systemd runs here, so of a systemd scope
only its command is. What holds on a host with neither is shown by taking the control groups
away (``AUTOGRADER_CGROUP=none``): tests/test_autograder/test_sandbox/test_mechanisms_taken_away.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.sandbox import cgroups
from autograder.sandbox.limits import GiB, Limits


def fake_v2_tree(root: Path, own: str = "grader.slice/grader.scope") -> Path:
    """A folder laid out like a cgroup v2 mount: the root hands cpu, memory and pids down; the
    grader's own cgroup ``own`` sits in a slice that hands memory and pids down to it."""
    (root / "cgroup.controllers").write_text("cpu memory pids\n")
    (root / "cgroup.subtree_control").write_text("memory pids\n")
    parent = root / own
    parent.mkdir(parents=True)
    (parent.parent / "cgroup.controllers").write_text("memory pids\n")
    (parent.parent / "cgroup.subtree_control").write_text("")  # not yet handed down
    (parent / "cgroup.controllers").write_text("memory pids\n")
    proc = root / "proc-self-cgroup"
    proc.write_text(f"0::/{own}\n")
    return proc


def test_v2_groups_are_made_beside_the_graders_own_with_their_limits(tmp_path, monkeypatch):
    """A folder laid out like /sys/fs/cgroup (this machine has no cgroup v2 controllers): the
    parent of the grader's cgroup gets pids and memory handed down, the group its limits, the
    process its place, and removal kills everything in it at once (cgroup.kill)."""
    monkeypatch.delenv(cgroups.ENV, raising=False)
    proc_cgroup = fake_v2_tree(tmp_path)
    found = cgroups.v2_flavour(tmp_path, str(proc_cgroup))
    parent = tmp_path / "grader.slice"
    assert found is not None and (found.kind, found.where) == ("cgroup v2", str(parent))
    assert (parent / "cgroup.subtree_control").read_text() == "+memory +pids"

    group = found.create(Limits(memory_bytes=3 * GiB, processes=40))
    (folder,) = group.dirs
    assert folder.parent == parent and folder.name.startswith(f"tln-{os.getpid()}-")
    assert (folder / "pids.max").read_text() == "40"
    assert (folder / "memory.max").read_text() == str(3 * GiB)
    assert (folder / "memory.swap.max").read_text() == "0"

    group.enter()  # as in the child before exec: its pid into cgroup.procs
    assert (folder / "cgroup.procs").read_text() == str(os.getpid())
    (folder / "pids.current").write_text("40\n")
    assert group.tasks() == 40

    (folder / "cgroup.procs").write_text("")  # nothing left to kill one by one
    group.remove()
    assert (folder / "cgroup.kill").read_text() == "1"
    monkeypatch.setattr(cgroups, "flavour", lambda: found)
    assert cgroups.cgroups_of(os.getpid()) == [folder]  # found again, were this process killed


def test_v2_takes_the_subtree_it_is_given(tmp_path, monkeypatch):
    """AUTOGRADER_CGROUP names a delegated subtree (a systemd unit with Delegate=yes, say)."""
    fake_v2_tree(tmp_path)
    given = tmp_path / "delegated"
    given.mkdir()
    (given / "cgroup.controllers").write_text("memory pids\n")
    (given / "cgroup.subtree_control").write_text("memory pids\n")
    monkeypatch.setenv(cgroups.ENV, str(given))
    found = cgroups.v2_flavour(tmp_path, str(tmp_path / "proc-self-cgroup"))
    assert found is not None and found.where == str(given)
    assert (given / "cgroup.subtree_control").read_text() == "memory pids\n"  # already handed down


def test_v2_refuses_a_subtree_without_pids(tmp_path, monkeypatch):
    monkeypatch.delenv(cgroups.ENV, raising=False)
    proc_cgroup = fake_v2_tree(tmp_path)
    (tmp_path / "grader.slice" / "grader.scope" / "cgroup.controllers").write_text("memory\n")
    (tmp_path / "grader.slice" / "cgroup.controllers").write_text("memory\n")
    assert cgroups.v2_flavour(tmp_path, str(proc_cgroup)) is None
    # A cgroup v1 mount (no cgroup.controllers at its root) is not taken for v2.
    (tmp_path / "v1").mkdir()
    assert cgroups.v2_flavour(tmp_path / "v1", str(proc_cgroup)) is None


def test_systemd_scope_command():
    """No systemd runs here: the command that would start a process in a scope of its own."""
    group = cgroups.ScopeGroup("/usr/bin/systemd-run", False, Limits(memory_bytes=GiB, processes=32))
    argv = group.wrap(["/usr/bin/bwrap", "--args", "5"])
    assert argv[:5] == ["/usr/bin/systemd-run", "--scope", "--quiet", "--collect", f"--unit={group.unit}"]
    assert ["-p", "TasksMax=32"] == argv[6:8] and ["-p", f"MemoryMax={GiB}"] == argv[8:10]
    assert argv[-4:] == ["--", "/usr/bin/bwrap", "--args", "5"]
    assert group.unit.startswith(f"tln-{os.getpid()}-") and group.unit.endswith(".scope")


@pytest.mark.skipif(cgroups.v1_flavour() is None, reason="no writable cgroup v1 here")
def test_v1_group_caps_a_fork_bomb(tmp_path):
    """Live, on this machine's cgroup v1: 16 processes at most, whatever the user."""
    group = cgroups.V1Group(cgroups.CGROUP_ROOT, Limits(processes=16))
    try:
        code = (
            "import os, time\nn = 0\ntry:\n    while True:\n        if os.fork() == 0:\n"
            "            time.sleep(5)\n            os._exit(0)\n        n += 1\nexcept OSError:\n    print(n)\n"
        )
        proc = subprocess.run([sys.executable, "-c", code], preexec_fn=group.enter, capture_output=True, timeout=60)
        assert 0 < int(proc.stdout) < 16
    finally:
        group.remove()
    assert not any(d.exists() for d in group.dirs)
