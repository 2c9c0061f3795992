"""Grading one submission with the course grader, through its command line.

    python -m autograder grade FOLDER --format json --output RESULT --journal JOURNAL --resume

in a process of its own, as the TA's own `python -m autograder grade` runs: the grader's sandbox
(bubblewrap or Landlock, a user of its own, limits; README: Security) contains the student's code,
and announces its mechanisms in the log. The grader's journal is kept per submission, so that a
grading cut short by a restart is resumed (`--resume`) and a finished one is never run again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from autograder.grading.results import SubmissionResult

#: The grader's own limit for one submission, beyond its per-cell budgets (digits: seconds;
#: CIFAR-10's training cells: minutes).
TIMEOUT_SECONDS = 3600


class GraderFailed(RuntimeError):
    """The course grader could not run (exit 2 or worse); the message ends with its output."""


def grade(folder: Path, workdir: Path, *, options: tuple[str, ...] = ()) -> SubmissionResult:
    """Grade ``folder``/two_layer_net.ipynb (with its best_model.npz); results and logs in ``workdir``.
    ``options``: more of the grader's options, e.g. ``("--scheduler", "tcp://HOST:8786")`` to grade
    on a Dask cluster (docs/cluster.md) instead of in a sandbox on this machine."""
    workdir.mkdir(parents=True, exist_ok=True)
    output, journal, log = workdir / "result.json", workdir / "grader-journal.jsonl", workdir / "grader.log"
    command = [
        sys.executable, "-m", "autograder", "grade", str(folder),
        "--format", "json", "--output", str(output), "--journal", str(journal), "--resume", "--quiet", *options,
    ]  # fmt: skip
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    with open(log, "a") as f:
        done = subprocess.run(
            command, stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT, env=env, timeout=TIMEOUT_SECONDS
        )
    if done.returncode != 0 or not output.is_file():
        raise GraderFailed(f"the course grader exited with {done.returncode}:\n{log.read_text()[-2000:]}")
    (result,) = json.loads(output.read_text())["submissions"]
    return SubmissionResult.from_dict(result)
