"""The hidden checks of every item: the visible checks of ``twolayer.checks`` run on fresh
random inputs of several shapes, with the expected values computed by the reference in the
grader's process, and a diagnosis of known mistakes for the hints.

Nothing here runs student code directly: it goes through a ``Target`` (a sandboxed worker).
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
from twolayer import checks as C
from twolayer.checks import HINTS, Case, Finding, Target

from .reference import reference


def _close(a: Any, b: Any, rtol: float = 1e-4) -> bool:
    try:
        a = np.asarray(a, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.all(np.isfinite(a))) and C.rel_diff(a, b) <= rtol


def _diagnoser(variants: dict[str, dict[str, Callable[[], Any]]]) -> Callable[[str, Any], str]:
    """``variants[what][mistake]()`` is what a known mistake would return for ``what``
    (``mistake`` is a key of ``HINTS``, optionally with ``/variant`` after it)."""

    def diagnose(what: str, got: Any) -> str:
        for mistake, make in variants.get(what, {}).items():
            try:
                if _close(got, make()):
                    return HINTS[mistake.split("/")[0]]
            except Exception:  # a variant that does not apply to these inputs
                continue
        return ""

    return diagnose


def _hint_errors(findings: list[Finding], hint: str, when: Callable[[Finding], bool]) -> list[Finding]:
    for f in findings:
        if not f.passed and not f.hint and when(f):
            f.hint = hint
    return findings


# --- layers ----------------------------------------------------------------------------

def _affine_inputs(rng: np.random.Generator, shape: tuple[int, ...], M: int, dtype: Any = np.float64) -> dict:
    D = int(np.prod(shape[1:]))
    return {"x": rng.standard_normal(shape).astype(dtype), "w": rng.standard_normal((D, M)).astype(dtype),
            "b": rng.standard_normal(M).astype(dtype)}


AFFINE_SHAPES = [((4, 3, 5, 2), 7), ((6, 10), 3), ((3, 2, 2, 2, 2), 5), ((1, 4, 3), 2)]


def affine_forward(t: Target, rng: np.random.Generator) -> list[Finding]:
    ref = reference()
    found: list[Finding] = []
    for shape, M in AFFINE_SHAPES:
        inp = _affine_inputs(rng, shape, M)
        x2 = inp["x"].reshape(shape[0], -1)
        case = Case(f"random inputs x {shape}, w {inp['w'].shape}", inp,
                    {"out": ref.affine_forward(inp["x"], inp["w"], inp["b"])[0]},
                    _diagnoser({"out": {"no_bias": lambda x2=x2, w=inp["w"]: x2 @ w,
                                        "reshape_order": lambda i=inp, n=shape[0]: i["x"].reshape(n, -1, order="F") @ i["w"] + i["b"]}}))
        got = C.check_affine_forward(t, case)
        if len(shape) > 2:
            _hint_errors(got, HINTS["no_reshape"], lambda f: "raised" in f.message or "shape" in f.message)
        found += got
    inp = _affine_inputs(rng, (5, 4, 3), 6, np.float32)
    found += C.check_affine_forward(t, Case("random float32 inputs x (5, 4, 3)", inp,
                                            {"out": ref.affine_forward(*(inp[k].astype(np.float64) for k in "xwb"))[0]}))
    return found


def affine_backward(t: Target, rng: np.random.Generator) -> list[Finding]:
    ref = reference()
    found: list[Finding] = []
    for shape, M in AFFINE_SHAPES:
        inp = _affine_inputs(rng, shape, M)
        inp["dout"] = rng.standard_normal((shape[0], M))
        _, cache = ref.affine_forward(inp["x"], inp["w"], inp["b"])
        dx, dw, db = ref.affine_backward(inp["dout"], cache)
        case = Case(f"random inputs x {shape}, w {inp['w'].shape}", inp, {"dx": dx, "dw": dw, "db": db},
                    _diagnoser({"dx": {"dx_flat": lambda dx=dx: dx.reshape(dx.shape[0], -1)},
                                "db": {"db_mean": lambda d=inp["dout"]: d.mean(axis=0)}}))
        got = C.check_affine_backward(t, case)
        _hint_errors(got, HINTS["dx_flat"], lambda f, dx=dx: f"has shape ({dx.shape[0]}, {int(np.prod(dx.shape[1:]))})" in f.message and dx.ndim > 2)
        found += got
    # The backward pass against numerical gradients of the student's own forward pass.
    inp = _affine_inputs(rng, (3, 2, 2), 4)
    inp["dout"] = rng.standard_normal((3, 4))

    def numeric() -> list[Finding]:
        # Only meaningful where the student's forward pass is right: a wrong forward pass is
        # graded as affine_forward, not again here.
        try:
            out = t.call("affine_forward", inp["x"], inp["w"], inp["b"], keep=[1])
        except C.StudentCodeError:
            out = None
        if not (isinstance(out, tuple) and _close(out[0], ref.affine_forward(inp["x"], inp["w"], inp["b"])[0])):
            return [Finding(True, "affine_backward against numerical gradients of your affine_forward "
                                  "(not checked: your affine_forward is graded on its own)")]
        cache = C.forward_cache(t, "affine_forward", (inp["x"], inp["w"], inp["b"]))
        grads = t.call("affine_backward", inp["dout"], cache)
        if not (isinstance(grads, tuple) and len(grads) == 3):
            return [Finding(False, "affine_backward returns dx, dw, db", "affine_backward should return (dx, dw, db)")]
        found = []
        for k, got in zip("xwb", grads):
            def f(v: np.ndarray, k: str = k) -> Any:
                return t.call("affine_forward", *[v if n == k else inp[n] for n in "xwb"])[0]
            if not C.is_array(got) or got.shape != inp[k].shape:
                found.append(Finding(False, f"d{k} against numerical gradients", f"d{k} should have shape {inp[k].shape}"))
                continue
            ok, err = C.gradient_agrees(f, inp[k], got, inp["dout"])
            found.append(Finding(ok, f"d{k} against numerical gradients of your affine_forward on random inputs x (3, 2, 2)",
                                 "" if ok else f"relative error {err:.1e} between d{k} and the numerical gradient"))
        return found

    return found + C.guarded("affine_backward against numerical gradients of your affine_forward", numeric)


def relu_forward(t: Target, rng: np.random.Generator) -> list[Finding]:
    ref = reference()
    found: list[Finding] = []
    for shape in ((7, 5), (2, 3, 4), (10,), (3, 1, 2, 5)):
        x = rng.standard_normal(shape)
        x.flat[0] = 0.0
        case = Case(f"random inputs of shape {shape}", {"x": x}, {"out": ref.relu_forward(x)[0]},
                    _diagnoser({"out": {"leaky_relu": lambda x=x: np.where(x > 0, x, 0.01 * x),
                                        "np_max": lambda x=x: np.max(x, 0)}}))
        found += C.check_relu_forward(t, case)
    return found


def relu_backward(t: Target, rng: np.random.Generator) -> list[Finding]:
    ref = reference()
    found: list[Finding] = []
    for shape in ((8, 6), (2, 3, 4), (12,)):
        x = rng.standard_normal(shape)
        dout = rng.standard_normal(shape)
        dx = ref.relu_backward(dout, ref.relu_forward(x)[1])
        case = Case(f"random inputs of shape {shape}", {"x": x, "dout": dout}, {"dx": dx},
                    _diagnoser({"dx": {"mask_from_dout": lambda d=dout: d * (d > 0),
                                       "leaky_relu": lambda d=dout, x=x: d * np.where(x > 0, 1.0, 0.01)}}))
        found += C.check_relu_backward(t, case)
    return found


# --- losses ----------------------------------------------------------------------------

def _loss_variants(name: str, x: np.ndarray, y: np.ndarray) -> dict:
    ref = reference()
    N = x.shape[0]
    fn = getattr(ref, name)
    loss, dx = fn(x, y)
    variants: dict[str, dict[str, Callable[[], Any]]] = {
        "loss": {"not_averaged": lambda: loss * N},
        "dx": {"not_averaged": lambda: dx * N},
    }
    if name == "softmax_loss":
        variants["loss"]["loss_sign"] = lambda: -loss
        variants["dx"]["softmax_dx_correct"] = lambda: dx + np.eye(x.shape[1])[y] / N
    if name == "svm_loss":
        def no_delta() -> tuple[float, np.ndarray]:
            return fn(x - 1.0 * (np.arange(x.shape[1]) != y[:, None]), y)  # margins with delta 0
        variants["loss"]["svm_no_delta"] = lambda: no_delta()[0]
        variants["dx"]["svm_no_delta"] = lambda: no_delta()[1]
        variants["loss"]["svm_counts_correct"] = lambda: loss + 1.0
    return variants


def loss_item(name: str) -> Callable[[Target, np.random.Generator], list[Finding]]:
    def check(t: Target, rng: np.random.Generator) -> list[Finding]:
        fn = getattr(reference(), name)
        found: list[Finding] = []
        for N, Cn, scale in ((50, 10, 1.0), (7, 3, 5.0), (1, 4, 1.0), (20, 6, 0.001)):
            x = scale * rng.standard_normal((N, Cn))
            y = rng.integers(Cn, size=N)
            loss, dx = fn(x, y)
            case = Case(f"random scores of shape ({N}, {Cn})", {"x": x, "y": y}, {"loss": loss, "dx": dx},
                        _diagnoser(_loss_variants(name, x, y)))
            found += C.check_loss(t, name, case)
        # Large scores: around 1e3 (the original softmax with np.exp overflows there).
        x = 1e3 + 10 * rng.standard_normal((12, 5))
        y = rng.integers(5, size=12)
        loss, dx = fn(x, y)
        case = Case("scores around 1000, of shape (12, 5)", {"x": x, "y": y}, {"loss": loss, "dx": dx})
        got = C.check_loss(t, name, case)
        if name == "softmax_loss":
            _hint_errors(got, HINTS["softmax_overflow"], lambda f: "nan" in f.message or "inf" in f.message
                         or "overflow" in f.message)
        found += got
        found += C.check_loss_shift(t, name, x - 1e3, y, 1e3, "random scores (12, 5) plus 1000")
        found += C.check_gradient_numerically(t, name, *_away_from_hinge_kinks(rng), "random scores (4, 3)")
        # float32 scores
        x = rng.standard_normal((9, 4)).astype(np.float32)
        y = rng.integers(4, size=9)
        loss, dx = fn(x.astype(np.float64), y)
        found += C.check_loss(t, name, Case("random float32 scores (9, 4)", {"x": x, "y": y}, {"loss": loss, "dx": dx}))
        return found

    return check


# --- the network -----------------------------------------------------------------------

def _net_params(rng: np.random.Generator, D: int, H: int, Cn: int) -> dict[str, np.ndarray]:
    return {"W1": 0.5 * rng.standard_normal((D, H)), "b1": 0.2 * rng.standard_normal(H),
            "W2": 0.5 * rng.standard_normal((H, Cn)), "b2": 0.2 * rng.standard_normal(Cn)}


# Numerical gradients step over a kink of ReLU or of the SVM's hinge when an input is within the
# step of it, and are then wrong for correct code. Code that computes in float32 is checked with
# a step of 1e-3 (twolayer.checks.gradient_agrees), which moves a pre-activation by up to
# 1e-3 * |x| (about 4e-3 here): inputs 0.05 or closer to a kink are drawn again. (Without this a
# correct float32 TwoLayerNet failed in 5 of 300 seeds.)
KINK_MARGIN = 0.05


def _away_from_relu_kinks(rng: np.random.Generator, N: int = 4, D: int = 4, H: int = 5,
                          Cn: int = 3) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Parameters and inputs whose hidden pre-activations are all at least KINK_MARGIN from 0,
    some positive and some negative."""
    while True:
        params = _net_params(rng, D, H, Cn)
        X, y = rng.standard_normal((N, D)), rng.integers(Cn, size=N)
        pre = X @ params["W1"] + params["b1"]
        if np.abs(pre).min() > KINK_MARGIN and (pre > 0).any() and (pre < 0).any():
            return params, X, y


def _away_from_hinge_kinks(rng: np.random.Generator, N: int = 4, Cn: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Scores whose SVM margins (s_j - s_y + 1, j != y) are all at least KINK_MARGIN from 0."""
    while True:
        x, y = rng.standard_normal((N, Cn)), rng.integers(Cn, size=N)
        margins = x - x[np.arange(N), y][:, None] + 1.0
        margins[np.arange(N), y] = 1.0
        if np.abs(margins).min() > KINK_MARGIN:
            return x, y


def _ref_net(params: dict[str, np.ndarray], reg: float) -> Any:
    ref = reference()
    D, H = params["W1"].shape
    net = ref.TwoLayerNet(input_dim=D, hidden_dim=H, num_classes=params["W2"].shape[1])
    net.params = {k: v.copy() for k, v in params.items()}
    net.reg = reg
    return net


def _net_variants(params: dict, X: np.ndarray, y: np.ndarray, reg: float) -> dict:
    ref = reference()
    base = _ref_net(params, 0.0)
    loss0, grads0 = base.loss(X, y)
    W1, W2 = params["W1"], params["W2"]
    l2 = np.sum(W1 * W1) + np.sum(W2 * W2)
    X2 = X.reshape(X.shape[0], -1)

    def no_relu() -> Any:
        return (X2 @ W1 + params["b1"]) @ W2 + params["b2"]

    def svm_instead() -> float:
        return ref.svm_loss(base.loss(X), y)[0] + 0.5 * reg * l2

    def with_grad(key: str, factor: float) -> Callable[[], Any]:
        return lambda: grads0[key] + factor * reg * params[key]


    return {
        "scores": {"no_relu": no_relu},
        "loss": {"reg_factor": lambda: loss0 + reg * l2, "reg_missing_loss": lambda: loss0,
                 "reg_on_bias": lambda: loss0 + 0.5 * reg * (l2 + np.sum(params["b1"] ** 2) + np.sum(params["b2"] ** 2)),
                 "wrong_loss_fn": svm_instead},
        "W1": {"reg_missing_grad": with_grad("W1", 0.0), "reg_factor": with_grad("W1", 2.0),
               "reg_factor/half": with_grad("W1", 0.5)},
        "W2": {"reg_missing_grad": with_grad("W2", 0.0), "reg_factor": with_grad("W2", 2.0),
               "reg_factor/half": with_grad("W2", 0.5)},
        "b1": {"reg_on_bias": lambda: grads0["b1"] + reg * params["b1"]},
        "b2": {"reg_on_bias": lambda: grads0["b2"] + reg * params["b2"]},
    }


def two_layer_net(t: Target, rng: np.random.Generator) -> list[Finding]:
    found: list[Finding] = []
    for D, H, Cn, scale in ((300, 50, 10, 1e-2), (3 * 8 * 8, 100, 12, 7e-2)):
        found += C.check_net_init(t, D, H, Cn, scale, "random sizes")
    for (N, shape, H, Cn), reg in (((6, (8,), 10, 4), 0.0), ((5, (2, 3, 2), 7, 3), 0.35), ((9, (5,), 12, 6), 1.3)):
        D = int(np.prod(shape))
        params = _net_params(rng, D, H, Cn)
        X = rng.standard_normal((N, *shape))
        y = rng.integers(Cn, size=N)
        net = _ref_net(params, reg)
        scores = net.loss(X)
        active = (X.reshape(N, -1) @ params["W1"] + params["b1"]) > 0
        assert active.any() and not active.all(), "hidden inputs must have active and inactive units"
        loss, grads = net.loss(X, y)
        case = Case(f"random inputs X {X.shape}, hidden size {H}, reg {reg:g} (some hidden units off)",
                    {"params": params, "X": X, "y": y, "reg": reg}, {"scores": scores, "loss": loss, "grads": grads},
                    _diagnoser(_net_variants(params, X, y, reg)))
        found += C.check_net_loss(t, case)
    params, X, y = _away_from_relu_kinks(rng)
    found += C.check_net_numerically(t, params, X, y, 0.45, "random inputs (4, 4)")
    return found


# --- inline questions ------------------------------------------------------------------

def choices(name: str) -> Callable[[Target, np.random.Generator], list[Finding]]:
    def check(t: Target, rng: np.random.Generator) -> list[Finding]:
        found = C.check_choices_format(t, name, C.CHOICE_OPTIONS[name])
        if not found[0].passed:
            return found
        got = {int(v) for v in t.get(None, name)}
        expected = set(getattr(reference(), name))
        ok = got == expected
        return found + [Finding(ok, f"{name} is the right set of options",
                                "" if ok else "the set of options is not right: reread the question and your "
                                              "explanation; each option that applies must be in the set, and only those")]

    return check


HIDDEN: dict[str, Callable[[Target, np.random.Generator], list[Finding]]] = {
    "affine_forward": affine_forward,
    "affine_backward": affine_backward,
    "relu_forward": relu_forward,
    "relu_backward": relu_backward,
    "svm_loss": loss_item("svm_loss"),
    "softmax_loss": loss_item("softmax_loss"),
    "two_layer_net": two_layer_net,
    "inline_question_1_choices": choices("inline_question_1_choices"),
    "inline_question_2_choices": choices("inline_question_2_choices"),
}


# --- trained parameters ----------------------------------------------------------------

def accuracy(params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray, batch: int = 1000) -> float:
    """Accuracy of an affine-ReLU-affine network, computed by the grader (float64)."""
    W1, b1, W2, b2 = (np.asarray(params[k], dtype=np.float64) for k in ("W1", "b1", "W2", "b2"))
    correct = 0
    for i in range(0, X.shape[0], batch):
        Xb = X[i:i + batch].reshape(min(batch, X.shape[0] - i), -1).astype(np.float64)
        scores = np.maximum(Xb @ W1 + b1, 0) @ W2 + b2
        correct += int(np.sum(scores.argmax(axis=1) == y[i:i + batch]))
    return correct / X.shape[0]


def check_trained(item: str, params: Any, data: dict, threshold: float) -> tuple[list[Finding], dict[str, float]]:
    """Validation accuracy of trained parameters against the dataset's threshold."""
    label = {"solver": "model (the Solver run)", "hyperparameter_search": "best_model"}[item]
    check = f"validation accuracy of {label} at least {threshold:.2f}"
    D = int(np.prod(data["X_val"].shape[1:]))
    Cn = len(data["class_names"])
    shapes = {"W1": (D, None), "b1": (None,), "W2": (None, Cn), "b2": (Cn,)}
    if not isinstance(params, dict):
        return [Finding(False, check, f"{label} has no params dict of arrays")], {}
    for key, shape in shapes.items():
        value = params.get(key)
        if not C.is_array(value) or value.ndim != len(shape) or any(
                s is not None and s != v for s, v in zip(shape, value.shape)):
            return [Finding(False, check, f"{label}.params['{key}'] should be an array of shape "
                            f"{tuple('H' if s is None else s for s in shape)}, got {C._kind(value)}")], {}
    if params["W1"].shape[1] != params["b1"].shape[0] or params["W2"].shape[0] != params["b1"].shape[0]:
        return [Finding(False, check, f"{label}'s hidden sizes do not match across W1, b1 and W2")], {}
    if not all(np.all(np.isfinite(params[k])) for k in shapes):
        return [Finding(False, check, f"{label}'s parameters contain nan or inf (did training diverge?)")], {}
    val = accuracy(params, data["X_val"], data["y_val"])
    test = accuracy(params, data["X_test"], data["y_test"])
    ok = val >= threshold
    message = "" if ok else (f"validation accuracy {val:.3f} is below {threshold:.2f}: train longer or tune the "
                             "learning rate (look at the loss curve: flat means too small, jumping or nan means too large)")
    return [Finding(ok, check + f" (got {val:.3f})", message)], {"val_acc": val, "test_acc": test}
