"""`python -m autograder grade --scheduler ...` on a real Dask cluster (conftest.py): the same
grades as `--jobs 2`, nothing lost or counted twice when a worker dies, a submission that kills
every worker it touches ungraded after bounded tries, exit 2 when the scheduler is gone."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from dask_cluster import LocalCluster, free_port, journal_lines

import corpus

# Load-sensitive: the same grades as --jobs 2 only if no item of a correct notebook runs out of its
# 5 s beside another pytest worker's load; make test runs these after the parallel tests, alone.
pytestmark = pytest.mark.alone

ITEMS = ["--item", "affine_forward", "--item", "relu_forward"]
COMMON = [*ITEMS, "--seed", "3", "--timeout", "5", "-q"]
LOOP = {"relu_forward": "def relu_forward(x):\n    while True:\n        pass\n"}
KILLER = "worker-killer"  # the student whose notebook kills its worker (worker_killer.py)
CRASH = {"affine_forward": "import os\nos._exit(3)\n"}


def write_class(root: Path) -> Path:
    """Twelve submissions: correct (the solution, written differently), mistakes, crashing, looping,
    hostile and an invalid JSON file."""
    subs: dict[str, dict[str, str]] = {"alice": {}, "bob": {}, "carol": {}, "loops": corpus.CORRECT["loops"]}
    mistakes = [m for m in corpus.MISTAKES if m.item in ("affine_forward", "relu_forward")][:3]
    subs.update({f"mistake{i}": m.answers for i, m in enumerate(mistakes)})
    hostile = {h.name: h.answers for h in corpus.HOSTILE}
    subs.update(crash=CRASH, loop=LOOP, monkeypatch=hostile["monkeypatching numpy"], exits=hostile["os._exit"])
    for name, answers in subs.items():
        corpus.write_submission(root / "submitted" / name / "two_layer_net" / "two_layer_net.ipynb", answers)
    bad = root / "submitted" / "invalid" / "two_layer_net" / "two_layer_net.ipynb"
    bad.parent.mkdir(parents=True)
    bad.write_text('{"cells": [ not json')
    assert len(list((root / "submitted").glob("*/two_layer_net/two_layer_net.ipynb"))) == 12
    return root


def grade(folder: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "autograder", "grade", "submitted", *COMMON, *args],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def outputs(folder: Path, *args: str, name: str) -> dict[str, str]:
    """The text report, JSON report and CSV of grading ``folder``'s class (times taken out)."""
    found = {}
    for fmt in ("text", "json"):
        proc = grade(folder, *args, "--format", fmt, "-o", f"{name}.{fmt}", "--csv", f"{name}.csv")
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        found[fmt] = without_times((folder / f"{name}.{fmt}").read_text(), fmt)
    found["csv"] = (folder / f"{name}.csv").read_text()
    return found


def without_times(report: str, fmt: str) -> str:
    if fmt == "json":
        data = json.loads(report)
        for sub in data["submissions"]:
            sub.pop("seconds"), sub.pop("cell_seconds")
        return json.dumps(data, indent=1)
    return re.sub(r"time: [\d.]+ s|\d+ notebook\(s\) in [\d.]+ s", "#", report)


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Path:
    return write_class(tmp_path_factory.mktemp("class"))


@pytest.fixture(scope="module")
def with_jobs_2(klass) -> dict[str, str]:
    return outputs(klass, "--jobs", "2", "--journal", "local.jsonl", name="local")


def test_a_class_on_the_cluster_grades_as_jobs_2_though_a_worker_dies(cluster, klass, with_jobs_2, tmp_path):
    import shutil

    shutil.copytree(klass / "submitted", tmp_path / "submitted")
    journal = tmp_path / "autograder-journal.jsonl"
    proc = grade(tmp_path, "--scheduler", cluster.address, "--csv", "cluster.csv", "-o", "cluster.text")
    proc.stdout.close()
    deadline = time.monotonic() + 300
    while len(journal_lines(journal)) < 3:
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
        time.sleep(0.05)
    victim = cluster.running_workers()[0]
    cluster.kill(victim)  # a machine lost in the middle of grading: nanny, worker, grading process
    graded_at_kill = len(journal_lines(journal))
    err = proc.stderr.read()
    assert proc.wait(timeout=600) == 0, err
    assert graded_at_kill < 12, "the class was graded before the worker could be killed"
    lines = journal_lines(journal)
    paths = [line["path"] for line in lines]
    assert len(paths) == 12 and len(set(paths)) == 12  # nothing lost, nothing counted twice
    assert (tmp_path / "cluster.csv").read_text() == with_jobs_2["csv"]
    assert without_times((tmp_path / "cluster.text").read_text(), "text") == with_jobs_2["text"]
    rows = {row.split(",")[0]: row for row in with_jobs_2["csv"].splitlines()[1:]}
    assert ",graded,13," in rows["alice"] and ",graded,13," in rows["loops"]
    assert ",graded,5," in rows["crash"] and ",graded,8," in rows["loop"] and ",graded,5," in rows["exits"]
    assert ",ungraded,," in rows["invalid"] and ",graded,5," in rows["monkeypatch"]
    cluster.add_worker()  # the next tests have two workers again
    cluster.wait_for_workers(2)


def test_json_report_and_gradescope_output_are_those_of_local_grading(cluster, klass, with_jobs_2, tmp_path):
    import shutil

    shutil.copytree(klass / "submitted", tmp_path / "submitted")
    proc = grade(tmp_path, "--scheduler-file", str(cluster.scheduler_file), "--format", "json", "-o", "c.json")
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert without_times((tmp_path / "c.json").read_text(), "json") == with_jobs_2["json"]
    one = str(tmp_path / "submitted" / "mistake1" / "two_layer_net" / "two_layer_net.ipynb")
    docs = []
    for where in (["--scheduler", cluster.address], ["--jobs", "1"]):
        run = subprocess.run(
            [sys.executable, "-m", "autograder", "grade", one, *COMMON, "--format", "gradescope", *where],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == 0, run.stderr
        doc = json.loads(run.stdout)
        doc.pop("execution_time", None)
        doc.get("extra_data", {}).pop("seconds", None)
        doc.get("extra_data", {}).pop("cell_seconds", None)
        docs.append(doc)
    assert docs[0] == docs[1] and docs[0]["score"] < 13


def test_a_submission_that_kills_every_worker_it_touches_is_ungraded_after_bounded_tries(cluster, tmp_path):
    for name in ("dora", KILLER, "eve"):
        corpus.write_submission(tmp_path / "submitted" / name / "two_layer_net" / "two_layer_net.ipynb")
    proc = grade(tmp_path, "--scheduler", cluster.address, "--csv", "grades.csv", "--summary", "--tries", "2")
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    rows = {row.split(",")[0]: row for row in (tmp_path / "grades.csv").read_text().splitlines()[1:]}
    assert ",graded,13," in rows["dora"] and ",graded,13," in rows["eve"]
    assert ",ungraded,," in rows[KILLER]
    # --tries 2: it killed two workers, and was tried no more
    assert "every worker that graded this notebook died while grading it (2 tries" in out
    assert len(journal_lines(tmp_path / "autograder-journal.jsonl")) == 3
    cluster.wait_for_workers(2)  # the nannies restarted the killed workers


def test_a_scheduler_gone_mid_run_exits_2_and_resume_grades_the_rest(tmp_path, tmp_path_factory):
    for i in range(4):
        corpus.write_submission(tmp_path / "submitted" / f"s{i}" / "two_layer_net" / "two_layer_net.ipynb")
    corpus.write_submission(tmp_path / "submitted" / "t_loop" / "two_layer_net" / "two_layer_net.ipynb", LOOP)
    own = LocalCluster(tmp_path_factory.mktemp("dask-gone"))
    try:
        own.add_worker()
        own.wait_for_workers(1)
        journal = tmp_path / "autograder-journal.jsonl"
        proc = grade(tmp_path, "--scheduler", own.address)
        deadline = time.monotonic() + 300
        while not journal_lines(journal):
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()[1]
            time.sleep(0.05)
        own.kill(own.scheduler)
        _, err = proc.communicate(timeout=120)
    finally:
        own.close()
    assert proc.returncode == 2, err
    assert "scheduler went away" in err and "--resume" in err and "Traceback" not in err
    kept = len(journal_lines(journal))
    assert 1 <= kept < 5
    again = grade(tmp_path, "--jobs", "2", "--resume")
    _, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    assert f"resuming: {kept} notebook(s) already graded" in err
    paths = [line["path"] for line in journal_lines(journal)]
    assert len(paths) == 5 and len(set(paths)) == 5


def test_an_unreachable_scheduler_exits_2_with_what_to_do(tmp_path):
    corpus.write_submission(tmp_path / "submitted" / "a" / "two_layer_net" / "two_layer_net.ipynb")
    for where, message in (
        (["--scheduler", f"tcp://127.0.0.1:{free_port()}", "--scheduler-timeout", "2"], "did not answer within 2 s"),
        (["--scheduler-file", str(tmp_path / "none.json")], "no scheduler file"),
    ):
        proc = grade(tmp_path, *where)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 2, err
        assert message in err and "Traceback" not in err


def test_local_grading_does_not_import_dask(tmp_path):
    nb = corpus.write_submission(tmp_path / "a" / "two_layer_net" / "two_layer_net.ipynb")
    code = (
        "import sys\nfrom autograder.cli import main\n"
        f"status = main(['grade', {str(nb)!r}, '--item', 'relu_forward', '-q', '--seed', '1', '-o', 'r.txt'])\n"
        "print(status, sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split("\n")[-2] == "0 []"
    assert "autograded score: 5.0 / 5.0" in (tmp_path / "r.txt").read_text()


def test_workers_that_would_grade_differently_are_refused_with_the_reason(cluster, tmp_path, monkeypatch, capsys):
    """The instructor's grader is another commit than the workers': both workers are refused, and
    grading stops (exit 2 in the CLI) instead of using them."""
    from autograder.batch.cluster import ClusterUnavailable
    from autograder.batch.cluster import grade as cluster_grade
    from autograder.batch.cluster.compatibility import fingerprint
    from autograder.grading.options import Options

    nb = corpus.write_submission(tmp_path / "a" / "two_layer_net" / "two_layer_net.ipynb")
    mine = fingerprint("digits")
    monkeypatch.setattr(cluster_grade, "fingerprint", lambda dataset: {**mine, "grader": "another commit"})
    got = []
    with cluster_grade.ClusterGrader(cluster.address, timeout=3) as grader:
        with pytest.raises(ClusterUnavailable, match="no worker of the cluster may grade"):
            grader([(nb, Options(dataset="digits", seed=1))], False, lambda path, result: got.append(path))
    err = capsys.readouterr().err
    assert err.count("refused worker tcp://127.0.0.1:") == 2, err
    assert "its grader or course files differ from yours" in err and got == []


def test_with_a_shared_file_system_the_workers_read_the_notebooks_themselves(cluster, tmp_path):
    corpus.write_submission(tmp_path / "submitted" / "kim" / "two_layer_net" / "two_layer_net.ipynb")
    corpus.write_submission(tmp_path / "submitted" / "lee" / "two_layer_net" / "two_layer_net.ipynb", LOOP)
    proc = grade(tmp_path, "--scheduler", cluster.address, "--shared-files", "--csv", "grades.csv")
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    rows = {row.split(",")[0]: row for row in (tmp_path / "grades.csv").read_text().splitlines()[1:]}
    assert ",graded,13," in rows["kim"] and ",graded,8," in rows["lee"]


def test_a_notebook_whose_grading_process_is_killed_is_tried_again_then_ungraded(cluster, tmp_path):
    for name in ("fay", "grader-killer"):
        corpus.write_submission(tmp_path / "submitted" / name / "two_layer_net" / "two_layer_net.ipynb")
    workers = [w.pid for w in cluster.running_workers()]
    proc = grade(tmp_path, "--scheduler", cluster.address, "--csv", "grades.csv", "--summary", "--tries", "2")
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    rows = {row.split(",")[0]: row for row in (tmp_path / "grades.csv").read_text().splitlines()[1:]}
    assert ",graded,13," in rows["fay"] and ",ungraded,," in rows["grader-killer"]
    assert "the grading process of grader-killer died" in out and "(2 tries on the cluster)" in out
    assert [w.pid for w in cluster.running_workers()] == workers  # the workers themselves lived on
