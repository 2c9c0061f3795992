"""On a Dask cluster (conftest.py), a notebook's training cells start from the same random state
as on this machine: a near-threshold notebook (``corpus.near_threshold_search()``) gets the same accuracies,
points and recorded seeds as when graded here with the same seed (test_regrade.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import corpus
from autograder.course.items import TRAINING_ITEMS
from autograder.grading.run import Options, grade_submission

SEED = 1


def test_a_notebook_trains_on_the_cluster_as_it_trains_here(cluster, tmp_path):
    notebook = tmp_path / "submitted" / "ann" / "two_layer_net" / "two_layer_net.ipynb"
    corpus.write_submission(notebook, corpus.near_threshold_search())
    command = [sys.executable, "-m", "autograder", "grade", "submitted", "--format", "json", "-o", "cluster.json"]
    command += ["--seed", str(SEED), "-q", "--scheduler-file", str(cluster.scheduler_file)]
    command += [a for item in TRAINING_ITEMS for a in ("--item", item)]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    (there,) = json.loads((tmp_path / "cluster.json").read_text())["submissions"]
    here = grade_submission(notebook, Options(seed=SEED, items=TRAINING_ITEMS))
    assert there["accuracies"] == here.accuracies
    assert there["training_seeds"] == here.training_seeds and there["training_seeds"]
    assert [c["points"] for c in there["cells"]] == [c.points for c in here.cells]
