"""A worker's fingerprint, and what makes it refused (autograder/batch/cluster/compatibility.py)."""

from __future__ import annotations

import shutil

import pytest

from autograder.batch.cluster import compatibility
from autograder.batch.cluster.compatibility import WorkerRefused, check, differences, fingerprint

MINE = {"grader": "g1", "python": "3.11.7", "numpy": "2.4.6", "dataset": "d1", "isolation": "bubblewrap"}


def test_the_same_machine_may_grade():
    assert differences(MINE, dict(MINE)) == []
    here = fingerprint("digits")
    assert differences(here, fingerprint("digits")) == [] and len(here["grader"]) == 64


@pytest.mark.parametrize(
    "change,said",
    [
        ({"grader": "g2"}, "grader or course files differ from yours"),
        ({"python": "3.12.1"}, "it runs python 3.12.1, you run 3.11.7: install the course environment"),
        ({"numpy": "2.3.0"}, "it runs numpy 2.3.0"),
        ({"dataset": "d2"}, "its dataset is not the one you grade with (its arrays differ"),
        ({"dataset": "not loadable: DatasetNotInstalled: no CIFAR-10"}, "(not loadable: DatasetNotInstalled"),
        ({"isolation": "landlock"}, "student code would run less contained there (landlock)"),
        ({"isolation": "unavailable: no sandbox"}, "student code cannot be contained there (unavailable: no sandbox)"),
    ],
)
def test_a_worker_that_would_grade_differently_is_refused_with_what_to_do(change, said):
    found = differences(MINE, {**MINE, **change})
    assert len(found) == 1 and said in found[0]
    if "isolation" not in change:  # (this machine has bubblewrap: it contains more than asked)
        with pytest.raises(WorkerRefused, match="this machine: "):
            check({**fingerprint("digits"), **change}, "digits")


def test_more_containment_than_the_instructor_is_accepted():
    assert differences({**MINE, "isolation": "landlock"}, MINE) == []
    assert differences({**MINE, "isolation": "none"}, {**MINE, "isolation": "landlock"}) == []


def test_one_edited_file_of_the_grader_changes_its_hash(tmp_path, monkeypatch):
    copy = tmp_path / "autograder"
    shutil.copytree(compatibility.GRADER_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(compatibility, "GRADER_DIR", copy)
    before = compatibility.code_hash()
    assert before == compatibility.code_hash()
    items = copy / "course" / "items.py"
    items.write_text(items.read_text() + "\n# edited\n")
    assert compatibility.code_hash() != before


def test_the_dataset_hash_is_of_its_arrays():
    assert compatibility.dataset_hash("digits") == compatibility.dataset_hash("digits")
    assert fingerprint("digits")["dataset"] == compatibility.dataset_hash("digits")
