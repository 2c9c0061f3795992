"""What a worker is sent and does with it (autograder/batch/cluster/tasks.py), run here without Dask's worker."""

from __future__ import annotations

import json

import pytest

import corpus
from autograder.batch.cluster.compatibility import WorkerRefused, fingerprint
from autograder.batch.cluster.tasks import Task, grade_task
from autograder.grading.options import Options
from autograder.grading.results import SubmissionResult
from autograder.grading.run import grade_submission

MISTAKE = next(m for m in corpus.MISTAKES if m.name == "leaky ReLU")


def test_a_task_is_plain_data_and_grades_as_grade_submission(tmp_path):
    nb = corpus.write_submission(tmp_path / "zoe" / "two_layer_net" / "two_layer_net.ipynb", MISTAKE.answers)
    options = Options(dataset="digits", seed=5, items=("relu_forward", "affine_forward"), item_timeout=20)
    task = Task.of(nb, "zoe", options, fingerprint("digits"), shared=False)
    assert task.notebook == nb.read_bytes() and task.path is None
    json.dumps({**task.__dict__, "notebook": None})  # nothing but plain values besides the bytes
    out = grade_task(task)
    assert out["sha256"] == task.sha256
    json.dumps(out)  # plain data back, never objects
    remote = SubmissionResult.from_dict(out["result"])
    local = grade_submission(nb, options)
    assert remote.student == "zoe" and remote.path != str(nb)  # graded from the worker's own copy
    for r in (remote, local):
        r.seconds, r.cell_seconds, r.path = 0.0, {}, ""
    assert remote == local and remote.score == 8


def test_a_changed_notebook_or_another_machine_is_not_graded(tmp_path):
    nb = corpus.write_submission(tmp_path / "yan" / "two_layer_net" / "two_layer_net.ipynb")
    options = Options(dataset="digits", seed=5, items=("relu_forward",))
    shared = Task.of(nb, "yan", options, fingerprint("digits"), shared=True)
    assert shared.notebook is None and shared.path == str(nb.resolve())
    nb.write_text(nb.read_text() + " ")  # changed after it was sent
    with pytest.raises(ValueError, match="arrived changed"):
        grade_task(shared)
    other = Task.of(nb, "yan", options, {**fingerprint("digits"), "numpy": "1.0"}, shared=False)
    with pytest.raises(WorkerRefused, match="it runs numpy"):
        grade_task(other)
