"""Fail closed (issue 20): every way the containment of student code can fail to start, forced.

Each time, the notebook's code does not run, and the reason is recorded as the grader's failure,
never the student's: the mechanisms refuse (a probe failing, timing out, unable to run; bubblewrap
missing or refusing; Landlock missing; no sandbox user; no control group), the grader's worker
refuses to start (a bubblewrap that passes its quick probe, then refuses every sandbox, as when a
host starts refusing user namespaces), and the course grader reports such a notebook as ungraded
with the reason and goes on with the next one. Running without a sandbox is a choice, said and
recorded. nbgrader's kernel: tests/test_autograder/test_kernel/.
"""

from __future__ import annotations

import csv
import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import corpus
from autograder.execution.remote import WorkerProcess
from autograder.sandbox import SandboxUnavailable, bwrap, cgroups, landlock, mechanisms, policy, users
from autograder.sandbox.mechanisms import forget
from hosts import isolation

REAL_BWRAP = shutil.which("bwrap")
needs_bwrap = pytest.mark.skipif(isolation() != "bubblewrap", reason="this machine's bubblewrap does not work")

# Fake bubblewraps: each logs its calls beside its folder, so that a test can count the attempts.
FAKES = {
    "refuses": 'echo "bwrap: setting up uid map: Permission denied" >&2\nexit 1',
    # Passes the quick probe (/bin/true in a sandbox), refuses every sandbox that runs Python.
    "refuses after the probe": (
        'for a in "$@"; do last=$a; done\n'
        f'if [ "$last" = /bin/true ]; then exec {REAL_BWRAP} "$@"; fi\n'
        'echo "bwrap: setting up uid map: Permission denied" >&2\nexit 1'
    ),
    "hangs": "exec /bin/sleep 600",
}


def fake_bwrap(folder: Path, behaviour: str) -> Path:
    """A folder holding a ``bwrap`` that behaves so (to put first on PATH)."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "bwrap"
    if behaviour == "cannot run":
        script.write_text("#!/nonexistent/interpreter\n")
    else:
        # (the log's path is written in: a sandbox's bubblewrap gets no environment of the grader's)
        script.write_text(f'#!/bin/sh\necho "$*" >> {folder.parent / "bwrap.log"}\n{FAKES[behaviour]}\n')
    script.chmod(0o755)
    return folder


@pytest.fixture
def host(monkeypatch, tmp_path):
    """This process's sandbox established afresh under the test's environment, with a record of its own."""
    monkeypatch.setenv(policy.RECORD_ENV, str(tmp_path / "containment.json"))
    monkeypatch.setenv(bwrap.PROBE_TIMEOUT_ENV, "2")
    for name in (policy.MODE_ENV, cgroups.ENV, landlock.ENV):
        monkeypatch.delenv(name, raising=False)
    forget()
    yield tmp_path
    forget()


def record(tmp_path: Path, isolation: str, cgroup: str | None = None) -> None:
    recorded = {"isolation": isolation, "cgroup": cgroup, "recorded": "2026-12-01 09:00:00 +0000", "host": "grader1"}
    (tmp_path / "containment.json").write_text(json.dumps(recorded))


def attempts(tmp_path: Path) -> int:
    log = tmp_path / "bwrap.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


def with_path(monkeypatch, folder: Path | None) -> None:
    """PATH with ``folder`` first and no real bubblewrap: only the system's own folders."""
    monkeypatch.setenv("PATH", os.pathsep.join([*([str(folder)] if folder else []), "/usr/sbin", "/sbin"]))


# --------------------------------------------------------------------------------------------
# The mode and the record
# --------------------------------------------------------------------------------------------


def test_the_mode_comes_from_the_environment_then_the_course_setting(host, monkeypatch):
    assert policy.mode() == policy.Mode("required", "the default")  # assignment.toml [sandbox] mode
    monkeypatch.setenv(policy.MODE_ENV, "none")
    assert policy.mode() == policy.Mode("none", "AUTOGRADER_SANDBOX=none") and policy.mode().opted_out
    monkeypatch.setenv(policy.MODE_ENV, "off")
    with pytest.raises(SandboxUnavailable, match="unknown sandbox mode 'off'"):
        policy.mode()


@needs_bwrap
def test_first_use_records_what_the_host_offers_and_later_uses_ask_for_it(host):
    found = mechanisms()
    assert found.isolation == "bubblewrap" and "established now, recorded in" in found.chosen
    assert json.loads((host / "containment.json").read_text())["isolation"] == "bubblewrap"
    forget()
    assert mechanisms().chosen.startswith("recorded ")


@pytest.mark.skipif(not landlock.abi(), reason="this kernel has no Landlock")
def test_first_use_without_a_working_bubblewrap_takes_landlock_and_records_why(host, monkeypatch):
    with_path(monkeypatch, fake_bwrap(host / "bin", "refuses"))
    found = mechanisms()
    assert found.isolation == "landlock" and "setting up uid map: Permission denied" in found.chosen
    assert attempts(host) == 3  # tried three times before it counted as the host's answer
    assert json.loads((host / "containment.json").read_text())["isolation"] == "landlock"


@pytest.mark.parametrize(
    "behaviour,said",
    [
        ("refuses", "refused to start a sandbox (bwrap: setting up uid map: Permission denied)"),
        ("hangs", "did not start a sandbox within 2 s"),
        ("cannot run", "bubblewrap could not be run"),
    ],
)
def test_a_probe_that_fails_is_an_error_never_a_weaker_sandbox(host, monkeypatch, behaviour, said):
    """The host was set up with bubblewrap: a probe that fails now (three times) stops grading with
    what to do; it does not fall back to Landlock or to nothing."""
    record(host, "bubblewrap")
    with_path(monkeypatch, fake_bwrap(host / "bin", behaviour))
    with pytest.raises(SandboxUnavailable, match="bubblewrap is recorded") as err:
        mechanisms()
    assert said in err.value.reason and "user namespaces" in err.value.fix
    assert attempts(host) == (0 if behaviour == "cannot run" else 3)


def test_bubblewrap_gone_from_a_host_set_up_with_it(host, monkeypatch):
    record(host, "bubblewrap")
    with_path(monkeypatch, None)
    with pytest.raises(SandboxUnavailable, match="bwrap is not installed now"):
        mechanisms()


def test_landlock_asked_for_and_missing(host, monkeypatch):
    monkeypatch.setenv(policy.MODE_ENV, "landlock")
    monkeypatch.setenv(landlock.ENV, "none")
    with pytest.raises(SandboxUnavailable, match="Landlock is asked for by AUTOGRADER_SANDBOX=landlock"):
        mechanisms()


def test_no_sandbox_at_all_says_how_to_opt_out(host, monkeypatch):
    with_path(monkeypatch, fake_bwrap(host / "bin", "refuses"))
    monkeypatch.setenv(landlock.ENV, "none")
    with pytest.raises(SandboxUnavailable, match="no sandbox can contain student code here") as err:
        mechanisms()
    assert "AUTOGRADER_SANDBOX=none" in err.value.fix
    assert not (host / "containment.json").exists()  # nothing recorded: the next use tries again


def test_control_groups_gone_from_a_host_set_up_with_them(host, monkeypatch):
    record(host, "landlock" if landlock.abi() else "bubblewrap", "cgroup v2")
    monkeypatch.setattr(cgroups, "flavour", functools.lru_cache(lambda: None))  # as the real one
    with pytest.raises(SandboxUnavailable, match="set up with cgroup v2 control groups"):
        mechanisms()


@pytest.mark.skipif(cgroups.flavour() is None, reason="no control groups here")
def test_a_control_group_that_cannot_be_made_stops_the_sandbox(host, monkeypatch, tmp_path):
    found = mechanisms()
    monkeypatch.setattr(found.cgroup, "create", lambda limits: (_ for _ in ()).throw(PermissionError("EACCES")))
    with pytest.raises(SandboxUnavailable, match="control group of the sandbox could not be made"):
        WorkerProcess(tmp_path / "w")


@pytest.mark.skipif(not users.available()[0] or not landlock.abi(), reason="needs root, setpriv and Landlock")
def test_no_sandbox_user_left_stops_the_sandbox(host, monkeypatch, tmp_path):
    """Without control groups each sandboxed process needs a user of its own: none free, nothing runs."""
    monkeypatch.setenv(policy.MODE_ENV, "landlock")
    monkeypatch.setenv(cgroups.ENV, "none")
    uid = users.uid_range()[-1]
    monkeypatch.setenv(users.ENV, f"{uid}-{uid}")
    held = users.SandboxUser.lease()
    try:
        with pytest.raises(SandboxUnavailable, match="all 1 sandbox users"):
            WorkerProcess(timeout=10)
    finally:
        held.release()


@pytest.mark.skipif(os.geteuid() != 0 or not landlock.abi(), reason="needs root and Landlock")
def test_root_without_control_groups_or_setpriv_runs_nothing(host, monkeypatch):
    monkeypatch.setenv(policy.MODE_ENV, "landlock")
    monkeypatch.setenv(cgroups.ENV, "none")
    with_path(monkeypatch, None)  # no setpriv
    users.setpriv.cache_clear()
    try:
        with pytest.raises(SandboxUnavailable, match="nothing would limit student code's processes"):
            mechanisms()
    finally:
        users.setpriv.cache_clear()


# --------------------------------------------------------------------------------------------
# The worker, and the course grader
# --------------------------------------------------------------------------------------------


@needs_bwrap
def test_a_worker_whose_sandbox_does_not_start_is_the_graders_failure(host, monkeypatch, tmp_path):
    record(host, "bubblewrap")
    with_path(monkeypatch, fake_bwrap(host / "bin", "refuses after the probe"))
    with pytest.raises(SandboxUnavailable, match="the sandbox did not start.*setting up uid map"):
        WorkerProcess(tmp_path / "w", timeout=10)
    assert attempts(host) == 1 + 3  # the probe (it passes), then three starts


def grade(tmp_path: Path, env: dict[str, str], *paths: Path) -> tuple[subprocess.CompletedProcess, list[dict]]:
    """``python -m autograder grade`` of one item (its first code item) on ``paths``: the CSV's rows."""
    table = tmp_path / "grades.csv"
    proc = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", *map(str, paths), "--csv", str(table), "--quiet"]
        + ["--journal", str(tmp_path / "journal.jsonl"), "--seed", "1", "--item", "affine_forward"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=600,
    )
    rows = list(csv.DictReader(table.open())) if table.exists() else []
    return proc, rows


def two_notebooks(tmp_path: Path, marker: Path) -> list[Path]:
    """The solution, whose first answer cell also writes ``marker`` (where only unconfined code could)."""
    answers = {"affine_forward": f"open({str(marker)!r}, 'a').write('ran')\n" + corpus.ANSWERS["affine_forward"]}
    return [corpus.write_submission(tmp_path / s / "two_layer_net.ipynb", answers) for s in ("ann", "bob")]


@needs_bwrap
def test_the_course_grader_reports_a_sandbox_that_does_not_start_as_ungraded_and_goes_on(host, tmp_path):
    marker = tmp_path / "ran"
    env = {
        "PATH": f"{fake_bwrap(host / 'bin', 'refuses after the probe')}:{os.environ['PATH']}",
        policy.RECORD_ENV: str(host / "containment.json"),
    }
    record(host, "bubblewrap")
    proc, rows = grade(tmp_path, env, *two_notebooks(tmp_path, marker))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert [r["status"] for r in rows] == ["ungraded", "ungraded"] and not marker.exists()
    for row in rows:
        assert row["score"] == "" and "the grader's sandbox could not be started" in row["reason"]
        assert "setting up uid map" in row["reason"] and "not of the submission" in row["reason"]
        assert "your code" not in row["reason"]


def test_the_course_grader_without_any_sandbox_grades_nothing(host, tmp_path):
    marker = tmp_path / "ran"
    env = {policy.MODE_ENV: "landlock", landlock.ENV: "none"}
    proc, rows = grade(tmp_path, env, *two_notebooks(tmp_path, marker))
    assert proc.returncode == 2 and rows == [] and not marker.exists()
    assert "student code cannot be contained here, so nothing was graded" in proc.stderr
    assert "fix: " in proc.stderr and "AUTOGRADER_SANDBOX=none" in proc.stderr


def test_the_course_grader_without_a_sandbox_by_choice_says_so_and_records_it(host, tmp_path):
    notebook = corpus.write_submission(tmp_path / "ann" / "two_layer_net.ipynb")
    proc, rows = grade(tmp_path, {policy.MODE_ENV: "none"}, notebook)
    assert proc.returncode == 0 and "WARNING: student code runs WITHOUT a sandbox" in proc.stderr
    assert rows[0]["status"] == "graded" and rows[0]["score"] == rows[0]["max_score"] == "8"
    assert rows[0]["sandbox"] == "NONE: no sandbox, chosen by AUTOGRADER_SANDBOX=none"
