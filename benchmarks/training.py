"""Training on CIFAR-10: the course Solver against a PyTorch CPU loop, a hand-written numpy loop
and the matrix-multiply (sgemm) bound of the same run.

Every implementation does the same run: the same initial weights (``np.random.seed``, then the
reference ``TwoLayerNet``'s draws), the same minibatches (``np.random.choice`` with replacement,
in the Solver's order), the same learning-rate decay after each epoch and the same accuracy
checks (first iteration, end of every epoch, last iteration: 1,000 sampled training images and
the whole validation split, in batches of 100, as ``Solver.check_accuracy`` does).
"""

from __future__ import annotations

import cProfile
import io
import pstats
import time
from typing import Any

import numpy as np

from .common import PhaseTimer, Stopwatch, log, summary

EXERCISE = {
    "name": "exercise",
    "hidden_dim": 50,
    "learning_rate": 1e-4,
    "reg": 0.0,
    "num_epochs": 5,
    "batch_size": 200,
    "lr_decay": 0.95,
}
# The best configuration of the source notebook's search cell on CIFAR-10 (its grid: lr 1e-3,
# 10 epochs, reg 0.05/0.25, hidden 100/200): hidden 200 wins on every seed tried; the two
# regularisation strengths tie within 0.3 points (and cost the same time).
TUNED = {
    "name": "tuned",
    "hidden_dim": 200,
    "learning_rate": 1e-3,
    "reg": 0.25,
    "num_epochs": 10,
    "batch_size": 200,
    "lr_decay": 0.95,
}
CHECK_TRAIN_SAMPLES = 1000  # Solver's num_train_samples
CHECK_BATCH = 100  # Solver.check_accuracy's batch_size
TORCH_MISSING = "PyTorch not installed: pip install torch==2.13.0"


# --------------------------------------------------------------------------------------------
# The schedule shared by every implementation


def schedule(num_train: int, cfg: dict) -> tuple[int, int, list[int]]:
    """(iterations per epoch, iterations, the iterations after which accuracy is checked)."""
    per_epoch = max(num_train // cfg["batch_size"], 1)
    iterations = cfg["num_epochs"] * per_epoch
    checks = [t for t in range(iterations) if t == 0 or t == iterations - 1 or (t + 1) % per_epoch == 0]
    return per_epoch, iterations, checks


def _rows(X: np.ndarray) -> np.ndarray:
    return X.reshape(X.shape[0], -1)


# --------------------------------------------------------------------------------------------
# 1. The course Solver with the reference solution's TwoLayerNet


def run_solver(data: dict, cfg: dict, seed: int = 0, *, model_cls: Any = None, profile_hooks: Any = None) -> dict:
    from autograder.course.reference import reference
    from twolayer.solver import Solver

    TwoLayerNet = model_cls or reference().TwoLayerNet
    np.random.seed(seed)
    model = TwoLayerNet(
        input_dim=int(np.prod(data["X_train"].shape[1:])), hidden_dim=cfg["hidden_dim"], num_classes=10, reg=cfg["reg"]
    )
    solver = Solver(
        model,
        data,
        update_rule="sgd",
        optim_config={"learning_rate": cfg["learning_rate"]},
        lr_decay=cfg["lr_decay"],
        num_epochs=cfg["num_epochs"],
        batch_size=cfg["batch_size"],
        verbose=False,
    )
    if profile_hooks:
        profile_hooks(solver)
    with Stopwatch() as sw:
        solver.train()
    return {
        "seconds": sw.seconds,
        "cpu_seconds": sw.cpu_seconds,
        "val_acc": float(solver.best_val_acc),
        "final_loss": float(solver.loss_history[-1]),
        "dtype": str(model.params["W1"].dtype),
    }


def run_loop_with_model(data: dict, cfg: dict, seed: int = 0) -> dict:
    """The reference ``TwoLayerNet`` trained by a hand-written loop instead of the Solver: the same
    minibatches, updates and checks, so that the Solver's own cost is this run's difference."""
    from autograder.course.reference import reference

    X, y, Xv, yv = data["X_train"], data["y_train"], data["X_val"], data["y_val"]
    np.random.seed(seed)
    model = reference().TwoLayerNet(input_dim=_rows(X).shape[1], hidden_dim=cfg["hidden_dim"], reg=cfg["reg"])
    params = model.params
    for k, v in params.items():
        params[k] = v.astype(X.dtype)
    per_epoch, iterations, checks = schedule(len(X), cfg)
    checks_at = set(checks)
    lr = cfg["learning_rate"]

    def accuracy(Xs: np.ndarray, ys: np.ndarray, samples: int | None) -> float:
        if samples is not None and len(Xs) > samples:
            mask = np.random.choice(len(Xs), samples)
            Xs, ys = Xs[mask], ys[mask]
        pred = [model.loss(Xs[i : i + CHECK_BATCH]).argmax(1) for i in range(0, len(Xs), CHECK_BATCH)]
        return float(np.mean(np.hstack(pred) == ys))

    best, loss = 0.0, float("nan")
    with Stopwatch() as sw:
        for t in range(iterations):
            idx = np.random.choice(len(X), cfg["batch_size"])
            loss, grads = model.loss(X[idx], y[idx])
            for k, w in params.items():
                w -= lr * grads[k]
            if (t + 1) % per_epoch == 0:
                lr *= cfg["lr_decay"]
            if t in checks_at:
                accuracy(X, y, CHECK_TRAIN_SAMPLES)
                best = max(best, accuracy(Xv, yv, None))
    return {
        "seconds": sw.seconds,
        "cpu_seconds": sw.cpu_seconds,
        "val_acc": best,
        "final_loss": float(loss),
        "dtype": str(params["W1"].dtype),
    }


# --------------------------------------------------------------------------------------------
# 2. The same math written inline in numpy (no Solver, no layer functions)


def run_numpy(data: dict, cfg: dict, seed: int = 0, dtype: Any = np.float32) -> dict:
    X, y = _rows(data["X_train"]), data["y_train"]
    Xv, yv = _rows(data["X_val"]), data["y_val"]
    if X.dtype != dtype:
        X, Xv = X.astype(dtype), Xv.astype(dtype)
    N, D = X.shape
    H, C, B = cfg["hidden_dim"], 10, cfg["batch_size"]
    lr, reg = cfg["learning_rate"], cfg["reg"]
    np.random.seed(seed)
    W1 = (1e-3 * np.random.randn(D, H)).astype(dtype)
    b1 = np.zeros(H, dtype)
    W2 = (1e-3 * np.random.randn(H, C)).astype(dtype)
    b2 = np.zeros(C, dtype)
    per_epoch, iterations, checks = schedule(N, cfg)
    checks_at = set(checks)
    rows = np.arange(B)

    def accuracy(Xs: np.ndarray, ys: np.ndarray, samples: int | None) -> float:
        if samples is not None and len(Xs) > samples:
            mask = np.random.choice(len(Xs), samples)
            Xs, ys = Xs[mask], ys[mask]
        pred = [
            (np.maximum(Xs[i : i + CHECK_BATCH] @ W1 + b1, 0) @ W2 + b2).argmax(1)
            for i in range(0, len(Xs), CHECK_BATCH)
        ]
        return float(np.mean(np.hstack(pred) == ys))

    best = 0.0
    loss = float("nan")
    with Stopwatch() as sw:
        for t in range(iterations):
            idx = np.random.choice(N, B)
            Xb, yb = X[idx], y[idx]
            h = Xb @ W1
            h += b1
            np.maximum(h, 0, out=h)
            s = h @ W2
            s += b2
            s -= s.max(axis=1, keepdims=True)
            p = np.exp(s)
            p /= p.sum(axis=1, keepdims=True)
            loss = float(-np.log(p[rows, yb]).mean())
            p[rows, yb] -= 1
            p /= B
            dW2 = h.T @ p
            db2 = p.sum(axis=0)
            dh = p @ W2.T
            dh *= h > 0
            dW1 = Xb.T @ dh
            db1 = dh.sum(axis=0)
            if reg:
                loss += 0.5 * reg * float(np.sum(W1 * W1) + np.sum(W2 * W2))
                dW1 += reg * W1
                dW2 += reg * W2
            W1 -= lr * dW1
            b1 -= lr * db1
            W2 -= lr * dW2
            b2 -= lr * db2
            if (t + 1) % per_epoch == 0:
                lr *= cfg["lr_decay"]
            if t in checks_at:
                accuracy(X, y, CHECK_TRAIN_SAMPLES)
                best = max(best, accuracy(Xv, yv, None))
    return {
        "seconds": sw.seconds,
        "cpu_seconds": sw.cpu_seconds,
        "val_acc": best,
        "final_loss": loss,
        "dtype": np.dtype(dtype).name,
    }


# --------------------------------------------------------------------------------------------
# 3. PyTorch on the CPU (float32, autograd)


def torch_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("torch") is not None


def run_torch(data: dict, cfg: dict, seed: int = 0, threads: int = 2) -> dict:
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(threads)
    X = torch.from_numpy(np.ascontiguousarray(_rows(data["X_train"]), dtype=np.float32))
    y = torch.from_numpy(data["y_train"])
    Xv = torch.from_numpy(np.ascontiguousarray(_rows(data["X_val"]), dtype=np.float32))
    yv = torch.from_numpy(data["y_val"])
    N, D = X.shape
    H, C, B = cfg["hidden_dim"], 10, cfg["batch_size"]
    lr, reg = cfg["learning_rate"], cfg["reg"]
    np.random.seed(seed)
    W1 = torch.tensor((1e-3 * np.random.randn(D, H)).astype(np.float32), requires_grad=True)
    b1 = torch.zeros(H, requires_grad=True)
    W2 = torch.tensor((1e-3 * np.random.randn(H, C)).astype(np.float32), requires_grad=True)
    b2 = torch.zeros(C, requires_grad=True)
    params = (W1, b1, W2, b2)
    per_epoch, iterations, checks = schedule(N, cfg)
    checks_at = set(checks)

    def accuracy(Xs: Any, ys: Any, samples: int | None) -> float:
        if samples is not None and len(Xs) > samples:
            mask = torch.from_numpy(np.random.choice(len(Xs), samples))
            Xs, ys = Xs.index_select(0, mask), ys.index_select(0, mask)
        with torch.inference_mode():
            pred = torch.cat(
                [
                    (torch.relu(torch.addmm(b1, Xs[i : i + CHECK_BATCH], W1)) @ W2 + b2).argmax(1)
                    for i in range(0, len(Xs), CHECK_BATCH)
                ]
            )
        return float((pred == ys).double().mean())

    best = 0.0
    loss = None
    with Stopwatch() as sw:
        for t in range(iterations):
            idx = torch.from_numpy(np.random.choice(N, B))
            Xb, yb = X.index_select(0, idx), y.index_select(0, idx)
            h = torch.relu(torch.addmm(b1, Xb, W1))
            scores = torch.addmm(b2, h, W2)
            loss = F.cross_entropy(scores, yb)
            if reg:
                loss = loss + 0.5 * reg * ((W1 * W1).sum() + (W2 * W2).sum())
            for p in params:
                p.grad = None
            loss.backward()
            with torch.no_grad():
                for p in params:
                    p.add_(p.grad, alpha=-lr)
            if (t + 1) % per_epoch == 0:
                lr *= cfg["lr_decay"]
            if t in checks_at:
                accuracy(X, y, CHECK_TRAIN_SAMPLES)
                best = max(best, accuracy(Xv, yv, None))
    final = loss.detach().item() if loss is not None else float("nan")
    return {
        "seconds": sw.seconds,
        "cpu_seconds": sw.cpu_seconds,
        "val_acc": best,
        "final_loss": final,
        "dtype": "float32",
        "threads": threads,
    }


# --------------------------------------------------------------------------------------------
# 4. The matrix-multiply bound


def gemm_list(num_train: int, num_val: int, D: int, cfg: dict) -> list[dict]:
    """Every GEMM of the run: (name, m, k, n, layout, count, needed).

    A training step needs 2 forward GEMMs and 3 backward ones (dW1, dW2, dh); the reference
    ``affine_backward`` also computes dX of the first layer (``needed`` False: nothing uses it).
    The accuracy checks are forward passes in batches of 100.
    """
    H, C, B = cfg["hidden_dim"], 10, cfg["batch_size"]
    _, iterations, checks = schedule(num_train, cfg)
    check_batches = len(checks) * (-(-min(CHECK_TRAIN_SAMPLES, num_train) // CHECK_BATCH) - (-num_val // CHECK_BATCH))
    g = [
        ("forward X@W1", B, D, H, "nn", iterations, True),
        ("forward h@W2", B, H, C, "nn", iterations, True),
        ("backward dW2 = h.T@dscores", H, B, C, "tn", iterations, True),
        ("backward dh = dscores@W2.T", B, C, H, "nt", iterations, True),
        ("backward dW1 = X.T@dh", D, B, H, "tn", iterations, True),
        ("backward dX = dh@W1.T (unused)", B, H, D, "nt", iterations, False),
        ("accuracy check X@W1", CHECK_BATCH, D, H, "nn", check_batches, True),
        ("accuracy check h@W2", CHECK_BATCH, H, C, "nn", check_batches, True),
    ]
    return [
        {"name": n, "m": m, "k": k, "n": nn, "layout": lay, "count": cnt, "needed": need, "flops": 2 * m * k * nn * cnt}
        for n, m, k, nn, lay, cnt, need in g
    ]


def time_gemm(
    m: int, k: int, n: int, layout: str, *, min_seconds: float = 0.15, rounds: int = 5, clock: Any = time.perf_counter
) -> float:
    """Best seconds per float32 GEMM of that shape and operand layout (``t``: a transposed view,
    as in the layers), with a preallocated output: the BLAS alone."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((k, m) if layout[0] == "t" else (m, k), dtype=np.float32)
    b = rng.standard_normal((n, k) if layout[1] == "t" else (k, n), dtype=np.float32)
    A = a.T if layout[0] == "t" else a
    Bm = b.T if layout[1] == "t" else b
    out = np.empty((m, n), np.float32)
    np.matmul(A, Bm, out=out)
    reps = 1
    while True:  # calibrate the number of calls per timing round
        start = clock()
        for _ in range(reps):
            np.matmul(A, Bm, out=out)
        took = clock() - start
        if took > min_seconds / rounds or reps > 1 << 16:
            break
        reps *= 4
    best = took / reps
    for _ in range(rounds):
        start = clock()
        for _ in range(reps):
            np.matmul(A, Bm, out=out)
        best = min(best, (clock() - start) / reps)
    return best


def time_gemms(
    num_train: int,
    num_val: int,
    D: int,
    cfg: dict,
    best: dict[tuple, float] | None = None,
    clock: Any = time.perf_counter,
) -> dict[tuple, float]:
    """Seconds per GEMM for every shape of the run, the best of these and of ``best`` (timings
    taken at several moments of the benchmark: the load of a shared machine comes and goes)."""
    best = dict(best or {})
    for g in gemm_list(num_train, num_val, D, cfg):
        key = (g["m"], g["k"], g["n"], g["layout"])
        t = time_gemm(*key, clock=clock)
        best[key] = min(t, best.get(key, t))
    return best


def gemm_bound(num_train: int, num_val: int, D: int, cfg: dict, cache: dict[tuple, float] | None = None) -> dict:
    gemms = gemm_list(num_train, num_val, D, cfg)
    cache = dict(cache or {})
    for g in gemms:
        key = (g["m"], g["k"], g["n"], g["layout"])
        if key not in cache:
            cache[key] = time_gemm(*key)
        g["seconds_each"] = cache[key]
        g["gflops_per_s"] = 2 * g["m"] * g["k"] * g["n"] / cache[key] / 1e9
        g["seconds"] = g["count"] * cache[key]
    needed = [g for g in gemms if g["needed"]]
    flops = sum(g["flops"] for g in needed)
    seconds = sum(g["seconds"] for g in needed)
    flops_model = sum(g["flops"] for g in gemms)
    seconds_model = sum(g["seconds"] for g in gemms)
    train_flops = sum(g["flops"] for g in needed if not g["name"].startswith("accuracy"))
    return {
        "gemms": gemms,
        "flops": flops,
        "train_flops": train_flops,
        "check_flops": flops - train_flops,
        "rate_gflops": flops / seconds / 1e9,
        "time_bound": seconds,
        # What the reference layers really compute (with the unused dX of the first layer).
        "flops_with_dx": flops_model,
        "time_bound_with_dx": seconds_model,
    }


def peak_sgemm(n: int = 1024) -> float:
    """GFLOP/s of a large square float32 GEMM (the BLAS's best case on this machine)."""
    return 2 * n**3 / time_gemm(n, n, n, "nn", min_seconds=0.5) / 1e9


# --------------------------------------------------------------------------------------------
# 5. What-if: the reference TwoLayerNet with less work, still trained by the course Solver


def with_dx_model() -> Any:
    """The reference ``TwoLayerNet`` as it was before the first layer's backward skipped dX: the
    same forward, loss and gradients, but layer 1's gradients through ``affine_backward``,
    which also computes the input's gradient dX (``dh @ W1.T``) that nothing uses."""
    from autograder.course.reference import reference

    base = reference().TwoLayerNet
    ns = base.loss.__globals__
    affine_forward, affine_backward = ns["affine_forward"], ns["affine_backward"]
    relu_forward, relu_backward, softmax_loss = ns["relu_forward"], ns["relu_backward"], ns["softmax_loss"]

    class WithDX(base):
        def loss(self, X, y=None):
            W1, b1, W2, b2 = (self.params[k] for k in ("W1", "b1", "W2", "b2"))
            hidden, cache1 = affine_forward(X, W1, b1)
            hidden, relu_cache = relu_forward(hidden)
            scores, cache2 = affine_forward(hidden, W2, b2)
            if y is None:
                return scores
            loss, dscores = softmax_loss(scores, y)
            loss += 0.5 * self.reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
            grads = {}
            dhidden, grads["W2"], grads["b2"] = affine_backward(dscores, cache2)
            dhidden = relu_backward(dhidden, relu_cache)
            _, grads["W1"], grads["b1"] = affine_backward(dhidden, cache1)
            grads["W1"] += self.reg * W1
            grads["W2"] += self.reg * W2
            return loss, grads

    WithDX.__name__ = "TwoLayerNetWithDX"
    return WithDX


# --------------------------------------------------------------------------------------------
# 6. Where the Solver's time goes


def profile_solver(data: dict, cfg: dict) -> dict:
    """One Solver run with timers around its phases (wrappers installed in this process only),
    and a cProfile run for the top functions."""
    from autograder.course.reference import reference
    from twolayer import solver as solver_module

    R = reference()
    ns = R.TwoLayerNet.loss.__globals__  # the namespace the reference cells ran in
    D = int(np.prod(data["X_train"].shape[1:]))
    state = {"in_check": False}
    layers = ("affine_forward", "affine_backward", "relu_forward", "relu_backward", "softmax_loss")

    def where() -> str:
        return "checks" if state["in_check"] else "train"

    def hooks(solver):
        check = solver.check_accuracy

        def check_accuracy(*a, **k):
            state["in_check"] = True
            try:
                with timer.phase("checks: check_accuracy (total)"):
                    return check(*a, **k)
            finally:
                state["in_check"] = False

        solver.check_accuracy = check_accuracy
        solver._update = timer.timed(solver._update, lambda *a: "train: sgd updates")
        solver.model.loss = timer.timed(
            solver.model.loss, lambda X, y=None: f"{'checks' if y is None else 'train'}: model.loss (total)"
        )

    with PhaseTimer() as timer:
        timer.wrap(
            ns,
            "affine_forward",
            lambda x, w, b: f"{where()}: affine_forward layer {1 if w.shape[0] == D else 2} (GEMM + bias)",
        )
        timer.wrap(
            ns,
            "affine_backward",
            lambda dout, cache: (
                "train: affine_backward layer "
                + ("1 (GEMMs dW1 and dX)" if cache[1].shape[0] == D else "2 (GEMMs dW2, dh)")
            ),
        )
        for name in layers[2:]:
            timer.wrap(ns, name, lambda *a, _n=name: f"{where()}: {_n}")
        timer.wrap(solver_module.np, "take", lambda *a, **k: f"{where()}: np.take (minibatch gather)")
        timer.wrap(solver_module.np.random, "choice", lambda *a, **k: f"{where()}: np.random.choice")
        run = run_solver(data, cfg, profile_hooks=hooks)
    acc = timer.seconds
    total = run["seconds"]
    leaf = {k: v for k, v in acc.items() if "(total)" not in k}
    loss_train = acc.get("train: model.loss (total)", 0.0)
    inside_loss = sum(v for k, v in leaf.items() if k.startswith("train:") and k.split(": ")[1].split(" ")[0] in layers)
    phases = dict(sorted(leaf.items(), key=lambda kv: -kv[1]))
    phases["train: rest of model.loss (layer 1's dW1 = X.T @ dh GEMM, db1, reg terms)"] = loss_train - inside_loss
    phases["checks: rest of check_accuracy"] = acc.get("checks: check_accuracy (total)", 0.0) - sum(
        v for k, v in leaf.items() if k.startswith("checks:")
    )
    accounted = (
        loss_train
        + acc.get("checks: check_accuracy (total)", 0.0)
        + sum(
            v
            for k, v in leaf.items()
            if k in ("train: np.take (minibatch gather)", "train: np.random.choice", "train: sgd updates")
        )
    )
    phases["train: Solver loop rest (Python, validation of loss and grads)"] = total - accounted

    # cProfile: the top functions by own time.
    profiler = cProfile.Profile()
    profiler.enable()
    prof_run = run_solver(data, cfg)
    profiler.disable()
    buf = io.StringIO()
    stats = pstats.Stats(profiler, stream=buf).sort_stats("tottime")
    top = []
    for func, (_cc, nc, tt, ct, _callers) in sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:12]:
        filename, line, name = func
        top.append(
            {
                "function": f"{name} ({filename.split('/')[-1]}:{line})",
                "calls": nc,
                "tottime": round(tt, 4),
                "cumtime": round(ct, 4),
            }
        )
    return {
        "config": cfg["name"],
        "seconds": total,
        "phases": {k: round(v, 4) for k, v in phases.items()},
        "cprofile_seconds": prof_run["seconds"],
        "cprofile_top": top,
    }


# --------------------------------------------------------------------------------------------


def torch_runs(
    cifar10_dir: str, runs: list[tuple], repeats: int, *, passive: bool, timeout: float
) -> tuple[list[dict], str | None]:
    """Runs in a child process (see torch_child.py); (results, why it stopped early)."""
    import json
    import os
    import selectors
    import subprocess
    import sys

    from .common import REPO

    env = dict(os.environ)
    if passive:
        env["OMP_WAIT_POLICY"] = "PASSIVE"
    spec = {"cifar10_dir": cifar10_dir, "runs": runs, "repeats": repeats}
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.torch_child", json.dumps(spec)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    results: list[dict] = []
    deadline = time.monotonic() + timeout
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    stopped = None
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                stopped = f"stopped after {timeout:.0f} s (the machine is busy?)"
                break
            if not sel.select(timeout=min(left, 1.0)):
                if proc.poll() is not None:
                    break
                continue
            line = proc.stdout.readline()
            if not line:
                break
            msg = json.loads(line)
            if "seconds" in msg:
                results.append(msg)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    if proc.returncode not in (0, -9) and not results:
        stopped = f"failed: {proc.stderr.read()[-500:]}"
    return results, stopped


def rotated(impls: dict[str, Any], r: int) -> list[tuple[str, Any]]:
    """The implementations in the order of round ``r``: each starts a round in turn (the first run
    of a round was slower, so a fixed order would always handicap the same one)."""
    items = list(impls.items())
    return items[r % len(items) :] + items[: r % len(items)]


def ratios(runs: dict[str, list], key: str) -> dict[str, list[float]]:
    """The Solver's time over each loop's (the hand-written float32 loop, the loop that trains the
    reference model), run by run: they alternate, so each pair saw the same load."""
    return {
        loop: [round(a[key] / b[key], 3) for a, b in zip(runs.get("solver", []), runs.get(loop, []), strict=False)]
        for loop in ("numpy_float32", "loop_with_model")
    }


def benchmark(
    data: dict, *, quick: bool, repeats: int, with_torch: bool = True, cifar10_dir: str | None = None
) -> dict:
    from threadpoolctl import threadpool_info

    num_train, num_val = len(data["X_train"]), len(data["X_val"])
    D = int(np.prod(data["X_train"].shape[1:]))
    configs = [dict(EXERCISE), dict(TUNED)]
    if quick:
        for cfg in configs:
            cfg["num_epochs"] = 1
    have_torch = with_torch and torch_available() and cifar10_dir is not None
    if with_torch and not torch_available():
        log(TORCH_MISSING)
    out: dict[str, Any] = {
        "num_train": num_train,
        "num_val": num_val,
        "input_dim": D,
        "blas_threads": [p.get("num_threads") for p in threadpool_info()],
        "torch": None if have_torch else TORCH_MISSING,
        "configs": [],
    }
    out["peak_sgemm_gflops"] = peak_sgemm()
    by_name: dict[str, dict] = {}
    for cfg in configs:
        _, iterations, checks = schedule(num_train, cfg)
        impls: dict[str, Any] = {
            "solver": lambda c=cfg: run_solver(data, c),
            "numpy_float32": lambda c=cfg: run_numpy(data, c),
            "loop_with_model": lambda c=cfg: run_loop_with_model(data, c),
        }
        if cfg["name"] == "exercise":  # the extras on the short run only (the budget of `make bench`)
            impls["numpy_float64"] = lambda c=cfg: run_numpy(data, c, dtype=np.float64)
            impls["solver_with_dx"] = lambda c=cfg: run_solver(data, c, model_cls=with_dx_model())
        runs: dict[str, list] = {k: [] for k in impls}
        # The tuned run is 8 times longer: one repeat less keeps `make bench` within its budget.
        reps = repeats if cfg["name"] == "exercise" or repeats == 1 else repeats - 1
        gemm_times: dict[tuple, float] = {}
        for r in range(reps):  # interleaved, so that the machine's load hits every one alike
            gemm_times = time_gemms(num_train, num_val, D, cfg, gemm_times)
            for name, fn in rotated(impls, r):
                log(f"training {cfg['name']} ({iterations} iterations) with {name}, run {r + 1}/{reps}")
                runs[name].append(fn())
        gemm_times = time_gemms(num_train, num_val, D, cfg, gemm_times)
        entry: dict[str, Any] = {
            "config": cfg,
            "iterations": iterations,
            "accuracy_checks": len(checks),
            "images": iterations * cfg["batch_size"],
            "repeats": reps,
            "bound": gemm_bound(num_train, num_val, D, cfg, gemm_times),
            "runs": runs,
        }
        by_name[cfg["name"]] = entry
        out["configs"].append(entry)

    # One thread, CPU seconds: far less sensitive than wall time to the other processes of a
    # shared machine (they take cores away, not the work one thread does), on the short run.
    from threadpoolctl import threadpool_limits

    cfg = configs[0]
    single: dict[str, list] = {"solver": [], "numpy_float32": [], "loop_with_model": [], "solver_with_dx": []}
    single_gemm: dict[tuple, float] = {}
    with threadpool_limits(1):
        for r in range(repeats):
            single_gemm = time_gemms(num_train, num_val, D, cfg, single_gemm, clock=time.process_time)
            log(f"training {cfg['name']} with 1 BLAS thread (CPU time), run {r + 1}/{repeats}")
            one_thread = {
                "solver": lambda: run_solver(data, cfg),
                "numpy_float32": lambda: run_numpy(data, cfg),
                "loop_with_model": lambda: run_loop_with_model(data, cfg),
                "solver_with_dx": lambda: run_solver(data, cfg, model_cls=with_dx_model()),
            }
            for name, fn in rotated(one_thread, r):
                single[name].append(fn())
        single_bound = gemm_bound(
            num_train, num_val, D, cfg, time_gemms(num_train, num_val, D, cfg, single_gemm, clock=time.process_time)
        )
    out["single_thread"] = {
        "config": cfg,
        "bound": {k: v for k, v in single_bound.items() if k != "gemms"},
        "runs": single,
    }

    if have_torch:
        # PyTorch as it comes (OpenMP threads spin while waiting), 2 threads on both runs and
        # 1 thread on the short one; then the short one with OMP_WAIT_POLICY=PASSIVE.
        budget = 60.0 if quick else 300.0
        # The headline pair: the Solver and PyTorch, 2 threads, in alternating child processes of
        # the same shape (each pair sees the same load of a shared machine).
        cfg0 = configs[0]
        paired: dict[str, list] = {"solver": [], "torch": []}
        for r in range(repeats):
            for impl in ("solver", "torch"):
                log(f"paired run {r + 1}/{repeats}: {impl}, {cfg0['name']}, 2 threads, in a child process")
                results, stopped = torch_runs(
                    str(cifar10_dir), [(cfg0, 2, impl)], 1, passive=False, timeout=60.0 if quick else 180.0
                )
                paired[impl] += results
                if stopped:
                    paired.setdefault("stopped", []).append(f"{impl}: {stopped}")
        out["paired"] = {"config": cfg0, "runs": paired}
        by_name[cfg0["name"]]["runs"]["torch"] = list(paired["torch"])
        # Shortest and most telling first: a busy machine's time budget then cuts the tuned run.
        plan = [(False, [(configs[0], 1), (configs[1], 2)]), (True, [(configs[0], 2)])]
        out["torch_stopped"] = {}
        for passive, todo in plan:
            reps = max(1, repeats - 1) if not quick else 1
            log(
                f"training with PyTorch ({'OMP_WAIT_POLICY=PASSIVE' if passive else 'default OpenMP'}), "
                f"{len(todo)} run(s) x {reps}"
            )
            results, stopped = torch_runs(str(cifar10_dir), todo, reps, passive=passive, timeout=budget)
            if stopped:
                out["torch_stopped"]["passive" if passive else "default"] = stopped
                log(f"PyTorch {stopped}")
            for res in results:
                key = "torch" if res["threads"] == 2 else "torch_1_thread"
                if passive:
                    key = "torch_passive"
                by_name[res["config"]]["runs"].setdefault(key, []).append(res)
                if key == "torch_1_thread":
                    out["single_thread"]["runs"].setdefault("torch", []).append(res)

    for entry in out["configs"]:
        bound = entry["bound"]
        entry["results"] = {}
        entry["ratios"] = ratios(entry["runs"], "seconds")
        for name, results in entry.pop("runs").items():
            secs = [res["seconds"] for res in results]
            if not secs:
                continue
            s = summary(secs)
            cpu = [res.get("cpu_seconds") for res in results]
            entry["results"][name] = {
                **s,
                "images_per_s": entry["images"] / s["best"],
                "cpu_seconds": cpu[int(np.argmin(secs))],
                "cores_used": cpu[int(np.argmin(secs))] / s["best"],
                "val_acc": results[int(np.argmin(secs))]["val_acc"],
                "val_accs": [res["val_acc"] for res in results],
                "final_loss": results[0]["final_loss"],
                "dtype": results[0]["dtype"],
                "fraction_of_bound": bound["time_bound"] / s["best"],
            }
        if not have_torch:
            entry["results"]["torch"] = None
    pr = out.get("paired")
    if pr:
        runs = pr.pop("runs")
        pr["stopped"] = runs.pop("stopped", [])
        pr["results"] = {}
        for impl, results in runs.items():
            if results:
                pr["results"][impl] = {
                    "seconds": summary([x["seconds"] for x in results]),
                    "cores_used": [round(x["cpu_seconds"] / x["seconds"], 2) for x in results],
                    "val_acc": results[0]["val_acc"],
                }
        pairs = list(zip(runs.get("solver", []), runs.get("torch", []), strict=False))  # a stopped run
        pr["solver_over_torch"] = [round(a["seconds"] / b["seconds"], 3) for a, b in pairs]
    st = out["single_thread"]
    st["results"] = {}
    st["ratios"] = ratios(st["runs"], "cpu_seconds")
    for name, results in st.pop("runs").items():
        cpus = [res["cpu_seconds"] for res in results]
        st["results"][name] = {
            "cpu_seconds": summary(cpus),
            "wall_seconds": summary([r["seconds"] for r in results]),
            "fraction_of_bound": st["bound"]["time_bound"] / min(cpus),
        }
    log("profiling the Solver (exercise configuration)")
    out["profile"] = profile_solver(data, configs[0])
    return out
