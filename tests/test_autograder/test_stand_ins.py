"""A mistake costs its points once (issue 22): an item that calls earlier ones is checked with the
grader's correct versions of those that fail their own checks (stand-ins), computed outside the
sandbox by the reference and handed to the student's code as values; nothing of the reference
enters the sandbox, and what student code can ask of a stand-in is bounded (size, count, time,
memory). The course setting ``[grading] replace_failed_dependencies`` turns it off."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import corpus
from autograder import sandbox
from autograder.course.reference import source_cells
from autograder.execution import stand_ins
from autograder.execution.remote import WorkerDied, WorkerProcess
from autograder.execution.stand_ins import ReferenceProcess, StandIns
from autograder.execution.target import RemoteTarget
from autograder.grading.options import Options
from autograder.grading.run import grade_submission

# softmax_loss as the student version hands it out: `raise NotImplementedError()`
RELEASE_CELLS = {
    c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"])
    for c in json.loads(corpus.RELEASE.read_text())["cells"]
    if "grade_id" in c["metadata"].get("nbgrader", {})
}
UNDONE_SOFTMAX = {"softmax_loss": RELEASE_CELLS["softmax_loss"]}
CALLERS = ("two_layer_net", "solver", "hyperparameter_search")


@pytest.fixture(scope="module")
def undone(tmp_path_factory):
    return corpus.write_submission(tmp_path_factory.mktemp("undone") / "two_layer_net.ipynb", UNDONE_SOFTMAX)


def test_an_unimplemented_softmax_costs_only_its_own_points(undone):
    result = grade_submission(undone, Options(seed=11))
    scores = result.item_scores()
    assert scores["softmax_loss"] == (0.0, 10.0)
    assert result.score == 92 - 10, {item: got for item, (got, total) in scores.items() if got != total}
    assert result.stand_ins == {item: ["softmax_loss"] for item in CALLERS}
    note = "two_layer_net was checked with correct versions of softmax_loss, which fails its own checks"
    assert any(note in n for n in result.notes)
    assert not [f for c in result.cells for f in c.failures if f.check == "dependencies"]


def test_with_the_setting_off_the_items_that_call_it_fail_with_it(undone, monkeypatch):
    import twolayer.config

    settings = twolayer.config.settings()
    monkeypatch.setattr(
        twolayer.config, "settings", lambda: {**settings, "grading": {"replace_failed_dependencies": False}}
    )
    result = grade_submission(undone, Options(seed=11))
    assert not result.stand_ins
    # softmax_loss, the Solver run and the search lose all; TwoLayerNet keeps only its checks of the
    # initial parameters, which call no softmax_loss (2 of 6 hidden, 1 of 6 visible): 92 - 50 + 5.33
    assert result.item_scores()["two_layer_net"] == (5.33, 20.0)
    assert result.score == 47.33
    net = " ".join(f.message for c in result.cells_of("two_layer_net") for f in c.failures)
    assert "two_layer_net calls your softmax_loss, which also fail(s) their own checks" in net


def test_the_check_command_trains_itself_with_stand_ins_instead_of_the_kernels_model(undone, tmp_path):
    """nbgrader's hidden cell of the Solver run hands over the kernel's model, trained with the
    broken softmax_loss: the check grades the item's dependencies, and with one failing, trains
    the item itself with the stand-ins (the kernel's parameters here are noise, worth nothing)."""
    rng = np.random.default_rng(0)
    noise = tmp_path / "noise.npz"
    np.savez(
        noise, W1=rng.standard_normal((64, 10)), b1=np.zeros(10), W2=rng.standard_normal((10, 10)), b2=np.zeros(10)
    )

    def check(notebook):
        ran = subprocess.run(
            [
                sys.executable,
                "-I",
                "-m",
                "autograder",
                "check",
                str(notebook),
                "--item",
                "solver",
                "--params",
                str(noise),
                "--json",
            ],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
        assert ran.returncode == 0, ran.stderr
        return json.loads(ran.stdout)["items"]["solver"]

    answer = check(undone)
    assert answer["points"] == 10 and "checked with correct versions of softmax_loss" in answer["stdout"]
    solution = corpus.write_submission(tmp_path / "solution" / "two_layer_net.ipynb")
    assert check(solution)["points"] == 0  # no dependency fails: the kernel's model is what is graded


# --- the stand-ins' bounds, attacked from inside the sandbox ----------------------------------


@pytest.fixture
def worker():
    """A sandboxed worker with the correct versions of softmax_loss, affine_forward and TwoLayerNet
    standing in for the student's."""
    process = ReferenceProcess()
    with WorkerProcess(limits=sandbox.Limits(), timeout=60) as w:
        target = RemoteTarget(w)
        assert target.exec_cell("setup", "import numpy as np")["ok"]
        target.install_stand_ins(StandIns(("softmax_loss", "affine_forward", "two_layer_net"), process))
        yield target
    process.close()


def run(target: RemoteTarget, source: str) -> dict:
    return target.exec_cell("attack", source)


def test_a_stand_in_answers_with_the_references_values_and_the_callers_own_arrays(worker):
    reply = run(
        worker,
        "x = np.arange(12.0).reshape(3, 4); w = np.ones((4, 2)); b = np.zeros(2)\n"
        "out, cache = affine_forward(x, w, b)\n"
        "same = cache[0] is x and cache[1] is w\n"
        "loss, dx = softmax_loss(np.zeros((2, 5)), np.array([0, 3]))\n"
        "net = TwoLayerNet(input_dim=4, hidden_dim=3, num_classes=2)\n"
        "scores = net.loss(x)\n"
        "kinds = [type(v).__name__ for v in (affine_forward, softmax_loss, net.params['W1'])]\n",
    )
    assert reply["ok"], reply
    assert worker.get(None, "same") is True  # the cache holds the caller's x and w, not copies
    np.testing.assert_allclose(worker.get(None, "out"), np.arange(12.0).reshape(3, 4) @ np.ones((4, 2)))
    assert worker.get(None, "loss") == pytest.approx(np.log(5))
    assert worker.get(None, "scores").shape == (3, 2)
    assert worker.get(None, "kinds") == ["function", "function", "ndarray"]


def test_nothing_of_the_reference_is_in_the_sandbox(worker):
    """A stand-in is the worker's own code, which sends arguments and returns values: no source of
    the reference, no object of the grader's, only the names installed."""
    solution = source_cells()["softmax_loss"].source
    reply = run(
        worker,
        "import inspect, gc\n"
        "source = ''.join(inspect.getsource(f) for f in (softmax_loss, TwoLayerNet.loss, TwoLayerNet.__init__))\n"
        "files = sorted({f.__code__.co_filename for f in (softmax_loss, TwoLayerNet.loss, TwoLayerNet.__init__)})\n"
        "names = sorted(k for k in globals() if not k.startswith('_'))\n",
    )
    assert reply["ok"], reply
    source = worker.get(None, "source")
    assert "log_probs" not in source and "np.exp" not in source and "log_probs" in solution
    assert worker.get(None, "files") == ["/run/grader/worker.py"]
    assert "svm_loss" not in worker.get(None, "names")  # only what was installed


def test_a_huge_array_is_refused_to_the_students_code_and_the_worker_lives(worker):
    big = stand_ins.MAX_CALL_BYTES // 8 + 1
    reply = run(
        worker,
        f"try:\n    softmax_loss(np.zeros(({big}, 1)), np.zeros({big}, dtype=int))\n"
        "except RuntimeError as exc:\n    said = str(exc)\n",
    )
    assert reply["ok"], reply
    assert "at most 64 MB" in worker.get(None, "said")
    assert run(worker, "ok = softmax_loss(np.zeros((1, 2)), np.array([1]))[0]")["ok"]


# Student code writing a frame into the worker's pipe to the grader (its descriptor is the worker's
# second argument), then waiting for an answer that never comes.
WRITE_TO_GRADER = "import json, os, struct, sys, time\nfd = int(sys.argv[2])\n"
SEND = "os.write(fd, struct.pack('<QQ', len(head), {size}) + head)\ntime.sleep(30)\n"


def test_a_huge_frame_written_into_the_pipe_stops_the_worker(worker):
    """Student code that writes a callback frame by hand, past what a stand-in sends: the grader
    does not read it, and stops the worker."""
    with pytest.raises(WorkerDied, match="more than its stand-in sends"):
        run(
            worker,
            WRITE_TO_GRADER + "head = json.dumps({'callback': 'softmax_loss'}).encode()\n" + SEND.format(size=1 << 30),
        )


def test_a_callback_for_a_name_without_a_stand_in_stops_the_worker(worker):
    """No oracle: the grader answers only for the names installed (the inline questions' answers
    are a name of the reference too)."""
    with pytest.raises(WorkerDied, match="has no stand-in here"):
        run(
            worker,
            WRITE_TO_GRADER
            + "head = json.dumps({'callback': 'inline_question_2_choices'}).encode()\n"
            + SEND.format(size=0),
        )


def test_a_tight_loop_of_calls_stops_at_the_grading_s_limit(worker, monkeypatch):
    monkeypatch.setattr(stand_ins, "MAX_CALLS", 300)
    with pytest.raises(WorkerDied, match="more than 300 times"):
        run(worker, "while True:\n    softmax_loss(np.zeros((1, 2)), np.array([1]))\n")


def test_an_answer_that_needs_too_much_memory_or_time_is_an_error_for_the_students_code(worker, monkeypatch):
    # x (40000, 1) and w (1, 40000): an output of 1.6e9 numbers (12.8 GB), past the reference's memory
    reply = run(
        worker,
        "try:\n    affine_forward(np.ones((40000, 1)), np.ones((1, 40000)), np.zeros(40000))\n"
        "except RuntimeError as exc:\n    said = str(exc)\n",
    )
    assert reply["ok"], reply
    assert "more memory than the grader gives" in worker.get(None, "said")
    monkeypatch.setattr(stand_ins, "ANSWER_SECONDS", 0.05)
    reply = run(
        worker,
        "try:\n    affine_forward(np.ones((1500, 1500)), np.ones((1500, 1500)), np.zeros(1500))\n"
        "except RuntimeError as exc:\n    said = str(exc)\n",
    )
    assert reply["ok"], reply
    assert "took longer than" in worker.get(None, "said")
    monkeypatch.setattr(stand_ins, "ANSWER_SECONDS", 30.0)
    assert run(worker, "ok = softmax_loss(np.zeros((1, 2)), np.array([1]))[0]")["ok"]  # started again


def test_objects_are_not_sent_to_the_grader(worker):
    reply = run(
        worker,
        "class Sneaky:\n    pass\n"
        "try:\n    softmax_loss(Sneaky(), np.array([1]))\nexcept RuntimeError as exc:\n    said = str(exc)\n",
    )
    assert reply["ok"], reply
    assert "takes numbers and arrays" in worker.get(None, "said")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_the_reference_process_dies_with_the_grader():
    """A grader killed outright (SIGKILL: no clean-up of its own) leaves no reference process: an
    idle one reads the end of its input, a busy one gets its parent-death signal."""
    grader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time\nfrom autograder.execution.stand_ins import ReferenceProcess\n"
            "p = ReferenceProcess()\np._start()\nprint(p.proc.pid, flush=True)\ntime.sleep(600)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        pid = int(grader.stdout.readline())
        assert _alive(pid)
        grader.kill()
        grader.wait(10)
        deadline = time.monotonic() + 10
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(pid), "the reference process outlived the grader that started it"
    finally:
        grader.kill()
