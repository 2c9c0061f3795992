"""The Gradescope pieces that need no grading: the zip, the schema, the late policy, the
submission's metadata and the upload (notebook and best_model.npz)."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

from autograder.course.gradescope_settings import Settings
from autograder.course.late import LatePolicy
from autograder.gradescope import metadata, schema
from autograder.gradescope.bundle import build
from autograder.gradescope.submission import UploadProblem, find_model, find_notebook, load_model
from autograder.grading.results import CellResult, SubmissionResult, Visibility
from autograder.reports import gradescope as results
from twolayer.checks.findings import Finding

HOUR = 3600.0


# --- the zip -------------------------------------------------------------------------------


def test_zip_has_the_entry_points_at_its_root_executable_and_no_tests_or_solutions(tmp_path):
    path, _ = build(tmp_path, dataset="digits")
    with zipfile.ZipFile(path) as z:
        infos = {i.filename: i for i in z.infolist()}
        names = set(infos)
        assert {"setup.sh", "run_autograder", "course.env", "GRADER_COMMIT", "requirements.lock"} <= names
        for entry in ("setup.sh", "run_autograder"):
            assert (infos[entry].external_attr >> 16) & 0o111 == 0o111, entry
        assert "autograder/gradescope/run.py" in names and "autograder/suite/test_layers.py" in names
        assert "source/two_layer_net/two_layer_net.ipynb" in names  # the reference solution
        assert "source/two_layer_net/twolayer/checks/visible.npz" in names
        assert not [n for n in names if n.startswith(("tests/", "solutions/", "release/", "data/"))]
        assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
        assert z.read("course.env").decode().splitlines()[-1] == "TWO_LAYER_NET_DATASET=digits"


def test_zip_is_reproducible_and_bakes_in_the_dataset(tmp_path):
    a, _ = build(tmp_path / "a", dataset="digits")
    b, _ = build(tmp_path / "b", dataset="digits")
    assert a.read_bytes() == b.read_bytes()
    c, _ = build(tmp_path / "c", dataset="cifar10")
    with zipfile.ZipFile(c) as z:
        assert "TWO_LAYER_NET_DATASET=cifar10" in z.read("course.env").decode()


# --- results.json and its schema -----------------------------------------------------------


def _result(**kw) -> SubmissionResult:
    cells = [
        CellResult("relu_forward_check", "relu_forward", Visibility.VISIBLE, 2, 2.0, True, [Finding(True, "out")]),
        CellResult(
            "relu_forward_hidden",
            "relu_forward",
            Visibility.HIDDEN,
            3,
            0.0,
            False,
            [Finding(False, "out", "out is wrong", "use np.maximum")],
        ),
        CellResult("inline_question_1", "inline_question_1", Visibility.MANUAL, 4, None, None),
    ]
    r = SubmissionResult("x.ipynb", "x", dataset="digits", seed=3, cells=cells, seconds=12.4, **kw)
    r.accuracies["hyperparameter_search"] = {"val_acc": 0.97, "test_acc": 0.96}
    return r


def test_results_document_uses_the_spec_fields_and_is_valid():
    settings = Settings(visible_checks="visible", hidden_checks="after_due_date", leaderboard="hyperparameter_search")
    late = LatePolicy(0.1, 0.5, 0).apply(30 * HOUR)
    doc = results.document(_result(), settings, lateness=late)
    assert schema.problems(doc) == []
    assert doc["score"] == pytest.approx(2 * 0.8) and doc["extra_data"]["score_before_late_penalty"] == 2
    assert "20% off" in doc["output"] and doc["output_format"] == "md" and doc["execution_time"] == 12
    assert [t["visibility"] for t in doc["tests"]] == ["visible", "after_due_date"]
    assert [t["status"] for t in doc["tests"]] == ["passed", "failed"]
    assert doc["tests"][1]["tags"] == ["relu_forward"] and doc["tests"][1]["number"] == "relu_forward_hidden"
    assert "out is wrong" in doc["tests"][1]["output"] and "np.maximum" in doc["tests"][1]["output"]
    assert doc["leaderboard"] == [{"name": "Validation accuracy", "value": 0.97, "order": "desc"}]
    assert {"dataset", "seed", "grader_version"} <= set(doc["extra_data"])


def test_an_ungraded_result_says_so_and_is_valid():
    doc = results.document(_result(status="ungraded", reason="the file is not a valid notebook"))
    assert schema.problems(doc) == []
    assert "could not be graded" in doc["output"] and "not a grade" in doc["output"]
    assert doc["extra_data"]["status"] == "ungraded" and doc["tests"][0]["name"] == "Not graded"


@pytest.mark.parametrize(
    "doc",
    [
        {},  # neither score nor tests
        {"score": "92"},
        {"score": 1, "tests": [{"score": 1, "visiblity": "visible"}]},  # misspelt key
        {"score": 1, "tests": [{"status": "ok"}]},
        {"score": 1, "output_format": "markdown"},
        {"score": 1, "leaderboard": [{"name": "acc", "value": 1, "order": "up"}]},
    ],
)
def test_schema_refuses_what_the_spec_does_not_allow(doc):
    assert schema.problems(doc)


def test_settings_refuse_unknown_visibility():
    with pytest.raises(ValueError, match="visible_checks"):
        Settings(visible_checks="sometimes")


# --- late policy and metadata ----------------------------------------------------------------


@pytest.mark.parametrize(
    "hours_late, fraction",
    [(0, 0.0), (0.2, 0.0), (0.3, 0.1), (24, 0.1), (24.3, 0.2), (100, 0.5)],
)
def test_late_policy_per_started_day_after_grace_with_cap(hours_late, fraction):
    policy = LatePolicy(penalty_per_day=0.1, cap=0.5, grace_minutes=15)
    assert policy.apply(hours_late * HOUR).fraction == pytest.approx(fraction)


def test_late_policy_rejects_nonsense():
    with pytest.raises(ValueError):
        LatePolicy(penalty_per_day=10)


def test_metadata_takes_the_students_extension_over_the_assignments_due_date(tmp_path):
    doc = {
        "created_at": "2026-03-03T10:00:00.000000-08:00",
        "assignment": {"due_date": "2026-03-01T23:59:00-08:00", "late_due_date": "2026-03-05T23:59:00-08:00"},
        "users": [{"email": "s@u.edu", "assignment": {"due_date": "2026-03-04T23:59:00-08:00"}}],
    }
    assert metadata.timing(doc).seconds_late == 0
    del doc["users"]
    assert metadata.timing(doc).seconds_late == pytest.approx((24 + 10 + 1 / 60) * HOUR)
    path = tmp_path / "submission_metadata.json"
    path.write_text(json.dumps(doc))
    assert metadata.lateness(path, LatePolicy(0.1, 0.5, 15)).fraction == pytest.approx(0.2)
    assert metadata.lateness(tmp_path / "absent.json") is None


# --- the upload --------------------------------------------------------------------------------


def test_the_notebook_is_found_whatever_its_name_and_leftovers_are_ignored(tmp_path):
    (tmp_path / "hw2" / ".ipynb_checkpoints").mkdir(parents=True)
    (tmp_path / "__MACOSX").mkdir()
    (tmp_path / "hw2" / "Ada Lovelace - HW2.ipynb").write_text("{}")
    (tmp_path / "hw2" / ".ipynb_checkpoints" / "x-checkpoint.ipynb").write_text("{}")
    (tmp_path / "__MACOSX" / "._x.ipynb").write_text("")
    assert find_notebook(tmp_path).name == "Ada Lovelace - HW2.ipynb"


def test_no_notebook_or_several_notebooks_say_what_to_upload(tmp_path):
    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(UploadProblem, match=r"no Jupyter notebook.*notes\.txt"):
        find_notebook(tmp_path)
    (tmp_path / "a.ipynb").write_text("{}")
    (tmp_path / "b.ipynb").write_text("{}")
    with pytest.raises(UploadProblem, match="2 notebooks were uploaded"):
        find_notebook(tmp_path)


def test_best_model_is_read_without_pickles_and_checked(tmp_path):
    good = {"W1": np.ones((64, 5)), "b1": np.zeros(5), "W2": np.ones((5, 10)), "b2": np.zeros(10)}
    np.savez(tmp_path / "best_model.npz", **good)
    assert set(load_model(find_model(tmp_path))) == set(good)
    np.savez(tmp_path / "pickled.npz", W1=np.array([object()], dtype=object), b1=1, W2=1, b2=1)
    with pytest.raises(UploadProblem, match="could not be read"):
        load_model(tmp_path / "pickled.npz")
    np.savez(tmp_path / "partial.npz", W1=np.ones(3))
    with pytest.raises(UploadProblem, match="lacks"):
        load_model(tmp_path / "partial.npz")
    (tmp_path / "junk.npz").write_bytes(os.urandom(100))
    with pytest.raises(UploadProblem, match="could not be read"):
        load_model(tmp_path / "junk.npz")


def test_best_model_that_claims_to_unpack_huge_is_refused_unread(tmp_path):
    bomb = tmp_path / "bomb.npz"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("W1.npy", "w", force_zip64=True) as member:  # 300 MB of zeros: a few hundred KB zipped
            for _ in range(300):
                member.write(bytes(1024**2))
    assert bomb.stat().st_size < 2 * 1024**2
    with pytest.raises(UploadProblem, match="larger than"):
        load_model(bomb)


def test_find_model_ignores_checkpoints(tmp_path: Path):
    (tmp_path / ".ipynb_checkpoints").mkdir()
    np.savez(tmp_path / ".ipynb_checkpoints" / "best_model.npz", W1=np.ones(2))
    assert find_model(tmp_path) is None
