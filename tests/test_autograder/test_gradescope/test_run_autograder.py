"""The bundle as Gradescope runs it: setup.sh's install steps into a fresh environment, then
run_autograder on real uploads in Gradescope's layout, every results.json checked against the
schema and its scores against ``python -m autograder grade``'s.

What is emulated, and why: Gradescope's image (Ubuntu 22.04, root, /autograder) cannot run here.
setup.sh runs unchanged except that it installs into a temporary folder (TWOLAYER_PREFIX), skips
apt-get (TWOLAYER_APT=0: no package installs on a shared machine) and uses this machine's
Python 3.11 (the lock's); run_autograder runs unchanged with GRADESCOPE_ROOT pointing at a
temporary folder laid out as /autograder is (source/ unzipped from the built zip, submission/,
results/, submission_metadata.json). Everything else is the real code, the real sandbox and
the real notebooks. Digits only, one setup for the module: about 3 minutes in all.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from packaging.requirements import Requirement

import corpus
from autograder import sandbox
from autograder.course.gradescope_settings import Settings
from autograder.gradescope import run, schema
from autograder.gradescope.bundle import build
from hosts import isolation
from process_tree import peak_tree_rss

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[3]
ON_TIME = {"created_at": "2026-03-01T20:00:00-08:00", "assignment": {"due_date": "2026-03-01T23:59:00-08:00"}}
LATE_30H = {"created_at": "2026-03-03T05:59:00-08:00", "assignment": {"due_date": "2026-03-01T23:59:00-08:00"}}


class Gradescope:
    """A /autograder folder with the built bundle set up in it, and a way to grade an upload."""

    def __init__(self, root: Path, prefix: Path):
        self.root, self.prefix = root, prefix

    def grade(self, files: dict[str, Path | bytes], meta: dict | None = ON_TIME, **env: str) -> dict:
        for folder in ("submission", "results"):
            shutil.rmtree(self.root / folder, ignore_errors=True)
            (self.root / folder).mkdir()
        for name, content in files.items():
            target = self.root / "submission" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content if isinstance(content, bytes) else content.read_bytes())
        (self.root / "submission_metadata.json").write_text(json.dumps(meta or {}))
        log = self.root.parent / "stdout"
        with open(log, "w") as out:
            proc = subprocess.Popen(
                ["bash", str(self.root / "run_autograder")],
                env={**os.environ, "GRADESCOPE_ROOT": str(self.root), "TWOLAYER_PREFIX": str(self.prefix), **env},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            self.peak_bytes = peak_tree_rss(proc, timeout=900)
        self.stdout = log.read_text()
        assert proc.returncode == 0, self.stdout[-3000:]
        doc = json.loads((self.root / "results" / "results.json").read_text())
        assert schema.problems(doc) == [], doc
        return doc


@pytest.fixture(scope="module")
def gradescope() -> Iterator[Gradescope]:
    """setup.sh's install steps, run into a fresh environment from the unzipped bundle. Not under
    pytest's tmp folder, which only root may enter: on Gradescope /autograder is open to every user
    to cross, and the unprivileged user that runs student code without bubblewrap must reach the
    two files the bundle leaves readable."""
    base = Path(tempfile.mkdtemp(prefix="gradescope-"))
    os.chmod(base, 0o711)
    yield from _installed(base)
    shutil.rmtree(base, ignore_errors=True)


def _installed(base: Path) -> Iterator[Gradescope]:
    zip_path, _ = build(base / "dist", dataset="digits")
    root, prefix = base / "autograder", base / "opt"
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(root / "source")
    for entry in ("setup.sh", "run_autograder"):
        os.chmod(root / "source" / entry, 0o755)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")  # as Gradescope does
    proc = subprocess.run(
        ["bash", str(root / "source" / "setup.sh")],
        env={
            **os.environ,
            "GRADESCOPE_SOURCE": str(root / "source"),
            "TWOLAYER_PREFIX": str(prefix),
            "TWOLAYER_APT": "0",
            "TWOLAYER_PYTHON": getattr(sys, "_base_executable", sys.executable),
        },
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "setup.sh: grader environment" in proc.stdout and "dataset digits" in proc.stdout
    assert "Student code is graded here in:" in proc.stdout  # what contains it, tried and recorded
    yield Gradescope(root, prefix)


def grade_cli(notebook: Path, tmp_path: Path) -> dict:
    """``python -m autograder grade --format gradescope`` on the same notebook (the course grader)."""
    out = tmp_path / "cli.json"
    subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(notebook), "--format", "gradescope", "-o", str(out), "-q"],
        check=True,
        capture_output=True,
        timeout=900,
    )
    return json.loads(out.read_text())


def scores(doc: dict) -> dict[str, float]:
    return {t["number"]: t["score"] for t in doc["tests"]}


def test_setup_installs_the_lock_and_the_grader_outside_the_bundle(gradescope):
    python = gradescope.prefix / "venv" / "bin" / "python"
    assert python.exists()
    lock = (gradescope.prefix / "lock-used").read_text().strip()
    assert lock.endswith("requirements.lock")
    frozen = subprocess.run([python, "-m", "pip", "freeze"], capture_output=True, text=True, check=True).stdout
    version = subprocess.run(
        [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], capture_output=True, text=True, check=True
    ).stdout.strip()
    pins = [Requirement(line) for line in Path(lock).read_text().splitlines() if line and not line.startswith("#")]
    for name in ("numpy", "pytest", "scikit-learn"):  # the lock's pin for the environment's Python
        pin = next(
            p for p in pins if p.name == name and (p.marker is None or p.marker.evaluate({"python_version": version}))
        )
        assert f"{pin.name}{pin.specifier}" in frozen.splitlines()


def test_solution_submitted_late_gets_every_point_less_the_late_penalty(gradescope, tmp_path):
    nb = corpus.write_submission(tmp_path / "Homework 2 (final).ipynb")
    doc = gradescope.grade({"Homework 2 (final).ipynb": nb}, LATE_30H)
    assert sum(t["score"] for t in doc["tests"]) == sum(t["max_score"] for t in doc["tests"]) == 92
    assert doc["score"] == pytest.approx(92 * 0.8), doc["output"]  # 30 h late: 2 started days, 10% each
    assert "20% off" in doc["output"] and doc["extra_data"]["late_fraction"] == pytest.approx(0.2)
    assert doc["leaderboard"][0]["value"] >= 0.94 and doc["extra_data"]["dataset"] == "digits"
    assert {t["visibility"] for t in doc["tests"]} == {"visible", "after_due_date"}
    assert f"sandbox: {sandbox.mechanisms().summary()}" in gradescope.stdout
    # The container size docs/gradescope.md and assignment.toml state for digits holds the whole grading.
    limit = Settings.from_settings().container_memory_mb["digits"] * 1024**2
    assert 0 < gradescope.peak_bytes < limit, f"peak {gradescope.peak_bytes / 1024**2:.0f} MB"


def test_untouched_release_in_a_zip_folder_gets_what_the_course_grader_gives(gradescope, tmp_path):
    doc = gradescope.grade({"hw/two_layer_net.ipynb": corpus.RELEASE})
    assert doc["extra_data"]["status"] == "graded" and doc["score"] == 0
    assert scores(doc) == scores(grade_cli(corpus.RELEASE, tmp_path))
    assert "is not implemented yet" in json.dumps(doc["tests"])


def test_a_notebook_that_kills_its_python_is_graded_around_it(gradescope, tmp_path):
    nb = corpus.write_submission(tmp_path / "nb.ipynb", {"affine_forward": "import os\nos._exit(3)\n"}, solved=False)
    doc = gradescope.grade({"nb.ipynb": nb})
    assert doc["extra_data"]["status"] == "graded"
    assert scores(doc) == scores(grade_cli(nb, tmp_path))


@pytest.mark.parametrize(
    "files, message",
    [
        ({"two_layer_net.ipynb": b'{"cells": [ not json'}, "invalid JSON"),
        ({"notes.txt": b"I forgot"}, "no Jupyter notebook"),
        ({"a.ipynb": corpus.RELEASE, "b/two_layer_net.ipynb": corpus.RELEASE}, "2 notebooks were uploaded"),
    ],
    ids=["invalid-json", "no-notebook", "two-notebooks"],
)
def test_an_upload_that_cannot_be_graded_says_why(gradescope, files, message):
    doc = gradescope.grade(files)
    assert doc["extra_data"]["status"] == "ungraded"
    assert message in doc["output"] and "not a grade" in doc["output"]


def test_a_grader_that_does_not_start_still_leaves_a_results_json(gradescope):
    doc = gradescope.grade({"two_layer_net.ipynb": corpus.RELEASE}, TWOLAYER_PREFIX="/nonexistent")
    assert doc["extra_data"]["status"] == "ungraded" and "did not start" in doc["output"]


def test_a_grader_that_fails_still_writes_an_ungraded_results_json(tmp_path, monkeypatch):
    # In-process with the grading itself replaced by a failure: a bug of the grader cannot be
    # provoked from a submission (that is the point), so it is simulated here.
    (tmp_path / "submission").mkdir()
    shutil.copy(corpus.RELEASE, tmp_path / "submission" / "two_layer_net.ipynb")

    def broken(*args, **kwargs):
        raise RuntimeError("grader bug")

    monkeypatch.setattr(run, "grade_safely", broken)
    monkeypatch.setattr(run, "arm_deadline", lambda *a: None)
    assert run.main(tmp_path) == 0
    doc = json.loads((tmp_path / "results" / "results.json").read_text())
    assert schema.problems(doc) == []
    assert doc["extra_data"]["status"] == "ungraded" and "RuntimeError: grader bug" in doc["output"]


def hostile(root: Path) -> dict[str, str]:
    """An answer cell that tries to read the bundle's secrets and write the results."""
    code = f"""
import glob
ROOT = {str(root)!r}
leaked = []
paths = glob.glob(ROOT + "/source/**/*", recursive=True) + [
    ROOT + "/source/source/two_layer_net/two_layer_net.ipynb",
    ROOT + "/source/autograder/suite/test_layers.py",
    ROOT + "/source/autograder/course/reference.py",
    ROOT + "/submission_metadata.json",
    ROOT + "/results/results.json",
]
for path in paths:
    try:
        with open(path, "rb") as f:
            leaked.append(f.read(50))
    except Exception:
        pass
wrote = []
for path in (ROOT + "/results/results.json", ROOT + "/results/extra.json", ROOT + "/source/run_autograder"):
    try:
        with open(path, "a") as f:
            f.write('{{"score": 1000}}')
        wrote.append(path)
    except Exception:
        pass

def affine_forward(x, w, b):
    raise RuntimeError(f"ATTACK leaked={{len(leaked)}} wrote={{len(wrote)}}")
"""
    return {"affine_forward": code}


def _attack(gradescope: Gradescope, tmp_path: Path, **env: str) -> dict:
    nb = corpus.write_submission(tmp_path / "nb.ipynb", hostile(gradescope.root))
    doc = gradescope.grade({"nb.ipynb": nb}, LATE_30H, **env)
    affine = [t for t in doc["tests"] if t.get("tags") == ["affine_forward"]]
    assert affine, json.dumps(doc, indent=1)[:3000] + gradescope.stdout[-3000:]
    assert "ATTACK leaked=0 wrote=0" in affine[0]["output"], affine[0]["output"] + gradescope.stdout[-4000:]
    assert not (gradescope.root / "results" / "extra.json").exists()
    assert doc["score"] < 1000 and sum(t["score"] for t in affine) == 0
    return doc


@pytest.mark.skipif(isolation() != "bubblewrap", reason="bubblewrap does not work on this machine")
def test_hostile_notebook_in_bubblewrap_reads_and_writes_nothing_of_the_bundle(gradescope, tmp_path):
    doc = _attack(gradescope, tmp_path)
    assert "sandbox: bubblewrap" in gradescope.stdout
    assert doc["extra_data"]["status"] == "graded" and doc["extra_data"]["sandbox"] == "bubblewrap"


def test_hostile_notebook_without_bubblewrap_reads_and_writes_nothing_of_the_bundle(gradescope, tmp_path):
    # Gradescope's Docker seccomp profile usually stops bubblewrap: Landlock, asked for here.
    doc = _attack(gradescope, tmp_path, AUTOGRADER_SANDBOX="landlock")
    assert "without bubblewrap" in gradescope.stdout and doc["extra_data"]["status"] == "graded"


@pytest.mark.skipif(isolation() != "bubblewrap", reason="bubblewrap does not work on this machine")
def test_a_sandbox_that_does_not_start_is_not_blamed_on_the_student(gradescope, tmp_path):
    """A host that starts refusing user namespaces: its bubblewrap passes the quick probe, then
    refuses every sandbox. The reference solution is not graded 0/92 with "your code stopped
    Python": results.json says the grader's sandbox did not start and no code of the upload ran."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "bwrap").write_text(
        '#!/bin/sh\nfor a in "$@"; do last=$a; done\n'
        f'if [ "$last" = /bin/true ]; then exec {shutil.which("bwrap")} "$@"; fi\n'
        'echo "bwrap: setting up uid map: Permission denied" >&2\nexit 1\n'
    )
    (fake / "bwrap").chmod(0o755)
    nb = corpus.write_submission(tmp_path / "nb.ipynb")
    doc = gradescope.grade({"nb.ipynb": nb}, ON_TIME, PATH=f"{fake}:{os.environ['PATH']}")
    assert doc["extra_data"]["status"] == "ungraded" and doc["score"] == 0.0
    assert "the grader's sandbox could not be started" in doc["output"] and "not of the submission" in doc["output"]
    assert "setting up uid map" in doc["extra_data"]["reason"] and "your code" not in doc["output"]
    assert [t["name"] for t in doc["tests"]] == ["Not graded"]


def test_protect_leaves_others_only_the_worker_and_the_student_library(gradescope):
    source = gradescope.root / "source"
    mode = lambda p: (source / p).stat().st_mode & 0o777  # noqa: E731
    assert mode("source/two_layer_net/two_layer_net.ipynb") == 0o600
    assert mode("autograder/suite/test_layers.py") == 0o600 and mode("autograder/suite") == 0o700
    assert mode(".") == mode("autograder") == 0o711  # crossed, not listed
    assert mode("autograder/execution/worker.py") == 0o644 and mode("source/two_layer_net/twolayer/solver.py") == 0o644
    assert (gradescope.root / "results").stat().st_mode & 0o777 == 0o700
    assert np.all([mode(p) & 0o077 == 0 for p in ("course.env", "GRADER_COMMIT", "requirements.lock")])
