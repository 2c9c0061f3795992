"""What the stand-ins cost: training through the grader's correct versions of items that fail their
own checks (``autograder/execution/stand_ins.py``), against training with the student's own code.

Two measurements, in one run:

- digits, whole: the training items (the Solver run and the search) of four notebooks graded by
  the course grader, each cell's wall time and the stand-ins' calls: the solution (no stand-in,
  the alternative), and the solution with softmax_loss, TwoLayerNet, or every layer and
  softmax_loss unimplemented (each then trains through the correct versions of those);
- CIFAR-10-sized minibatches: one sandboxed worker computes ``TwoLayerNet.loss`` on a minibatch of
  200 CIFAR-10-sized images (3072 float32 features, 100 hidden units) natively, through the
  softmax_loss stand-in (only the scores, 200 x 10, cross), and through the TwoLayerNet stand-in
  (the minibatch and the parameters cross); per minibatch, then what that adds to the reference's
  Solver run (1225 minibatches) and search (9800), a projection from the per-minibatch times.

    python -m benchmarks --only stand_ins
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from .common import corpus, f, log, table

MINIBATCH, FEATURES, HIDDEN, CLASSES = 200, 3072, 100, 10
CIFAR10_MINIBATCHES = {"Solver run": 5 * 245, "search": 4 * 10 * 245}  # the reference's cells on CIFAR-10


def _undone(items: tuple[str, ...]) -> dict[str, str]:
    """The student version's answer cells of ``items`` (``raise NotImplementedError()``)."""
    import json

    cells = json.loads(corpus().RELEASE.read_text())["cells"]
    stubs = {c["metadata"].get("nbgrader", {}).get("grade_id"): "".join(c["source"]) for c in cells}
    return {item: stubs[item] for item in items}


NOTEBOOKS = {
    "solution (no stand-in)": (),
    "softmax_loss unimplemented": ("softmax_loss",),
    "TwoLayerNet unimplemented": ("two_layer_net",),
    "layers and softmax_loss unimplemented": (
        "affine_forward",
        "affine_backward",
        "relu_forward",
        "relu_backward",
        "softmax_loss",
    ),
}


def _counted() -> tuple[dict[str, float], Any]:
    """Counts the stand-ins' calls and bytes of this process (the grader runs in it)."""
    from autograder.execution import stand_ins

    counts = {"calls": 0, "bytes_sent": 0, "bytes_answered": 0, "seconds": 0.0}
    ask = stand_ins.ReferenceProcess.ask

    def counting(self: Any, frame: bytes, deadline: float) -> bytes:
        started = time.monotonic()
        reply = ask(self, frame, deadline)
        counts["calls"] += 1
        counts["bytes_sent"] += len(frame)
        counts["bytes_answered"] += len(reply)
        counts["seconds"] += time.monotonic() - started
        return reply

    stand_ins.ReferenceProcess.ask = counting
    return counts, lambda: setattr(stand_ins.ReferenceProcess, "ask", ask)


def digits_training() -> list[dict[str, Any]]:
    from autograder.grading.options import Options
    from autograder.grading.run import grade_submission

    rows = []
    with tempfile.TemporaryDirectory(prefix="tln-bench-stand-ins-") as tmp:
        for name, undone in NOTEBOOKS.items():
            nb = corpus().write_submission(Path(tmp) / name.replace(" ", "_") / "two_layer_net.ipynb", _undone(undone))
            counts, restore = _counted()
            log(f"stand-ins: grading the training items of: {name}")
            try:
                started = time.monotonic()
                result = grade_submission(nb, Options(seed=1, items=("solver", "hyperparameter_search")))
                wall = time.monotonic() - started
            finally:
                restore()
            rows.append(
                {
                    "notebook": name,
                    "score": result.score,
                    "stand_ins": sorted({d for deps in result.stand_ins.values() for d in deps}),
                    "solver_seconds": result.cell_seconds.get("solver"),
                    "search_seconds": result.cell_seconds.get("hyperparameter_search"),
                    "val_acc": {k: round(v["val_acc"], 3) for k, v in result.accuracies.items()},
                    "grading_seconds": wall,
                    **counts,
                }
            )
    return rows


MINIBATCH_CELL = f"""
import time
rng = np.random.default_rng(0)
X = rng.standard_normal(({MINIBATCH}, {FEATURES})).astype(np.float32)
y = rng.integers({CLASSES}, size={MINIBATCH})
net = TwoLayerNet(input_dim={FEATURES}, hidden_dim={HIDDEN}, num_classes={CLASSES})
net.params = {{k: v.astype(np.float32) for k, v in net.params.items()}}
net.loss(X, y)
times = []
for _ in range(REPEATS):
    started = time.perf_counter()
    net.loss(X, y)
    times.append(time.perf_counter() - started)
seconds = sorted(times)[len(times) // 2]
"""


def cifar10_minibatch(repeats: int = 20) -> dict[str, float]:
    """Median seconds of one CIFAR-10-sized minibatch's loss and gradients, by where it computes."""
    from autograder import sandbox
    from autograder.course.reference import solution_answers
    from autograder.execution.remote import WorkerProcess
    from autograder.execution.stand_ins import ReferenceProcess, StandIns
    from autograder.execution.target import RemoteTarget

    answers = solution_answers()
    cells = ["affine_forward", "affine_backward", "relu_forward", "relu_backward", "softmax_loss", "two_layer_net"]
    out = {}
    for how, replaced in (
        ("native", ()),
        ("softmax_loss stand-in", ("softmax_loss",)),
        ("TwoLayerNet stand-in", ("two_layer_net",)),
    ):
        process = ReferenceProcess()
        with WorkerProcess(limits=sandbox.Limits(), env={"OPENBLAS_NUM_THREADS": "1"}, timeout=600) as worker:
            target = RemoteTarget(worker)
            for cell in ["import numpy as np", *(answers[c] for c in cells)]:
                assert target.exec_cell("cell", cell)["ok"]
            if replaced:
                target.install_stand_ins(StandIns(replaced, process))
            reply = target.exec_cell("minibatch", MINIBATCH_CELL.replace("REPEATS", str(repeats)), timeout=600)
            assert reply["ok"], reply
            out[how] = float(target.get(None, "seconds"))
        process.close()
        log(f"stand-ins: a CIFAR-10-sized minibatch, {how}: {out[how] * 1000:.1f} ms")
    return out


def benchmark(quick: bool = False) -> dict[str, Any]:
    return {"digits": digits_training(), "cifar10_minibatch": cifar10_minibatch(5 if quick else 20)}


def tables(results: dict[str, Any]) -> str:
    rows = [
        [
            r["notebook"],
            ", ".join(r["stand_ins"]) or "none",
            f(r["solver_seconds"]),
            f(r["search_seconds"]),
            r["calls"],
            f"{r['bytes_sent'] / 1e6:.1f} / {r['bytes_answered'] / 1e6:.1f}",
            f(r["seconds"]),
            f"{r['score']:g} / 20",
        ]
        for r in results["digits"]
    ]
    out = [
        "### Training through stand-ins, digits (`python -m benchmarks --only stand_ins`)\n",
        table(
            [
                "notebook",
                "stand-ins",
                "Solver cell s",
                "search cell s",
                "calls",
                "MB sent / answered",
                "s answering",
                "points",
            ],
            rows,
        ),
        "",
    ]
    mb = results["cifar10_minibatch"]
    native = mb["native"]
    rows = [
        [
            how,
            f"{seconds * 1000:.1f}",
            f"{(seconds - native) * 1000:+.1f}",
            *(f"{(seconds - native) * n:+.0f}" for n in CIFAR10_MINIBATCHES.values()),
        ]
        for how, seconds in mb.items()
    ]
    out += [
        f"### A CIFAR-10 minibatch ({MINIBATCH} x {FEATURES} float32, {HIDDEN} hidden units) through stand-ins\n",
        table(
            ["computed", "ms per minibatch", "added ms", *(f"added s, {k} (projected)" for k in CIFAR10_MINIBATCHES)],
            rows,
        ),
    ]
    return "\n".join(out) + "\n"
