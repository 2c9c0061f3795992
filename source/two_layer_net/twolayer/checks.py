"""The checks behind every check cell of the notebook.

``self_check("affine_forward", globals())`` runs, on visible inputs only, the same checks
and prints the same messages that the course's grader uses. The grader runs these checks
too, and more of them on inputs you do not see, comparing against a reference solution
that is not in this folder.

A check talks to your code through a *target*: here, :class:`LocalTarget` calls the
functions of your notebook directly; the grader uses one that calls them in a separate,
sandboxed process. Either way the verdicts and messages are the same.
"""
from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Protocol

import numpy as np

# ---------------------------------------------------------------------------------------
# Findings and messages
# ---------------------------------------------------------------------------------------


@dataclass
class Finding:
    """The verdict of one check: what was checked, whether it passed, and why not."""

    passed: bool
    check: str
    message: str = ""
    hint: str = ""

    def __post_init__(self) -> None:
        self.passed = bool(self.passed)  # numpy booleans from comparisons must not leak into reports

    def text(self) -> str:
        mark = "PASS" if self.passed else "FAIL"
        out = f"[{mark}] {self.check}"
        if not self.passed and self.message:
            out += f"\n       {self.message}"
        if not self.passed and self.hint:
            out += f"\n       Hint: {self.hint}"
        return out


class CheckFailed(AssertionError):
    """Raised by :func:`self_check` when a check fails: shows the messages, not a traceback."""

    def __init__(self, item: str, findings: list[Finding]):
        self.item = item
        self.findings = findings
        failed = [f for f in findings if not f.passed]
        super().__init__(f"{item}: {len(failed)} check(s) failed: "
                         + "; ".join(f"{f.check}: {f.message}" for f in failed))

    def _render_traceback_(self) -> list[str]:  # IPython shows this instead of a traceback
        failed = [f for f in self.findings if not f.passed]
        first = failed[0] if failed else None
        detail = f" First: {first.check}: {first.message}" if first and first.message else ""
        return [f"\x1b[31m{self.item}: {len(failed)} of {len(self.findings)} checks failed.{detail} "
                "Fix your code, run its cell again, then this one.\x1b[0m"]


# Hints for mistakes that students really make. The grader detects them; the text is here
# so that the notebook and the grader say the same thing.
HINTS = {
    "not_implemented": "Replace `raise NotImplementedError()` in the cell with your code and run that cell.",
    "no_reshape": "Reshape x into rows first: each input of shape (d_1, ..., d_k) becomes a row of length D = d_1 * ... * d_k.",
    "dx_flat": "dx must have the shape of the original input x, (N, d_1, ..., d_k): reshape it back.",
    "db_mean": "db is the sum of dout over the batch, not its mean.",
    "no_bias": "Add the bias b to every row of the output.",
    "np_max": "np.max(x, 0) takes the maximum along an axis; the ReLU needs the elementwise np.maximum(x, 0).",
    "reshape_order": "Reshape in numpy's default (row-major) order, x.reshape(N, -1), so that each row holds one example as w expects.",
    "leaky_relu": "ReLU is max(0, x): negative inputs give exactly 0, not a small slope.",
    "in_place": "Your function changed its input array. Work on a copy (or use np.maximum / new arrays) so that the caller's data stays as it was.",
    "mask_from_dout": "The ReLU mask comes from the forward input x (x > 0), not from dout.",
    "svm_no_delta": "The SVM margin is max(0, s_j - s_y + 1): do not forget the delta of 1.",
    "svm_counts_correct": "Skip the correct class j = y_i in the sum of margins (its margin would be the delta, 1).",
    "not_averaged": "Average the loss and the gradient over the N examples (divide by N).",
    "softmax_dx_correct": "In dx, the correct class needs the -1: dx = softmax probabilities, then dx[range(N), y] -= 1, then divide by N.",
    "loss_sign": "The loss is the average negative log-probability of the correct class: check the sign.",
    "softmax_overflow": "np.exp overflows for large scores: subtract each row's maximum score before exponentiating (it does not change the softmax).",
    "scalar_bias": "Biases must be zero vectors of the right length (np.zeros(hidden_dim), np.zeros(num_classes)), not the scalar 0.",
    "weight_scale": "Draw the weights from a normal distribution with standard deviation weight_scale (weight_scale * np.random.randn(...)).",
    "reg_factor": "The regularisation term is 0.5 * reg * (sum(W1**2) + sum(W2**2)); its gradient is reg * W.",
    "reg_missing_grad": "Add the gradient of the regularisation, reg * W, to dW1 and dW2.",
    "reg_missing_loss": "The loss has no regularisation: add 0.5 * reg * (sum(W1**2) + sum(W2**2)), reading self.reg at every call (the grader sets reg after construction).",
    "reg_on_bias": "Biases are not regularised: only W1 and W2 appear in the regularisation.",
    "reg_cached": "Read self.reg (and self.params) at every call of loss: the Solver and the grader change them after construction.",
    "no_relu": "The hidden layer must go through a ReLU: affine -> ReLU -> affine.",
    "wrong_loss_fn": "TwoLayerNet uses the softmax loss (softmax_loss), not the SVM loss.",
    "choices_format": "Set the variable to a Python set of option numbers, for example {1, 3}.",
}


# ---------------------------------------------------------------------------------------
# Targets: how a check calls the code under test
# ---------------------------------------------------------------------------------------


class StudentCodeError(Exception):
    """The code under test raised an exception, timed out or could not run."""

    def __init__(self, message: str, kind: str = "error"):
        super().__init__(message)
        self.kind = kind  # "error", "not_implemented", "missing", "timeout", "crash"


class Handle:
    """An object that stays with the code under test (a cache, a model)."""

    def __init__(self, ref: Any, type_name: str = ""):
        self.ref = ref
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<{self.type_name or 'object'}>"


class Target(Protocol):
    """What a check needs from the code it checks."""

    def has(self, name: str) -> bool: ...

    def call(self, name: str, *args: Any, keep: Iterable[int] = (), track: bool = False) -> Any: ...

    def new(self, cls: str, **kwargs: Any) -> Handle: ...

    def method(self, obj: Handle, name: str, *args: Any, keep: Iterable[int] = (), track: bool = False) -> Any: ...

    def get(self, obj: Handle | None, name: str) -> Any: ...

    def set(self, obj: Handle, name: str, value: Any, key: str | None = None) -> None: ...


def describe_exception(exc: BaseException, tb: Any = None) -> tuple[str, str]:
    """A one-line account of an exception raised by student code, and its kind."""
    if isinstance(exc, NotImplementedError):
        return "is not implemented yet (it raised NotImplementedError)", "not_implemented"
    where = ""
    frames = traceback.extract_tb(tb or exc.__traceback__)
    user = [fr for fr in frames if "twolayer" not in fr.filename and "autograder" not in fr.filename]
    if user:
        fr = user[-1]
        where = f" at `{(fr.line or '').strip()}`" if fr.line else ""
    return f"raised {type(exc).__name__}: {exc}{where}", "error"


def _plain(value: Any) -> Any:
    """What a remote target would give back: copies, so that checks never share arrays."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class LocalTarget:
    """Calls the code of a notebook namespace (``globals()``) in this process."""

    def __init__(self, namespace: dict[str, Any]):
        self.ns = namespace

    def has(self, name: str) -> bool:
        return name in self.ns

    def _lookup(self, name: str) -> Any:
        if name not in self.ns:
            raise StudentCodeError(f"`{name}` is not defined: run its cell first", "missing")
        return self.ns[name]

    def _invoke(self, fn: Callable, args: tuple, keep: Iterable[int], track: bool) -> Any:
        args = tuple(_plain(a) if not isinstance(a, Handle) else a.ref for a in args)
        try:
            result = fn(*args)
        except Exception as exc:  # student code may raise anything
            message, kind = describe_exception(exc)
            raise StudentCodeError(message, kind) from None
        keep = set(keep)
        if keep and isinstance(result, tuple):
            result = tuple(Handle(v, type(v).__name__) if i in keep else _plain(v)
                           for i, v in enumerate(result))
        else:
            result = _plain(result)
        return (result, tuple(_plain(a) for a in args)) if track else result

    def call(self, name: str, *args: Any, keep: Iterable[int] = (), track: bool = False) -> Any:
        return self._invoke(self._lookup(name), args, keep, track)

    def new(self, cls: str, **kwargs: Any) -> Handle:
        klass = self._lookup(cls)
        try:
            return Handle(klass(**kwargs), cls)
        except Exception as exc:
            message, kind = describe_exception(exc)
            raise StudentCodeError(message, kind) from None

    def method(self, obj: Handle, name: str, *args: Any, keep: Iterable[int] = (), track: bool = False) -> Any:
        return self._invoke(getattr(obj.ref, name), args, keep, track)

    def get(self, obj: Handle | None, name: str) -> Any:
        if obj is None:
            return _plain(self._lookup(name))
        if not hasattr(obj.ref, name):
            raise StudentCodeError(f"has no attribute `{name}`", "missing")
        return _plain(getattr(obj.ref, name))

    def set(self, obj: Handle, name: str, value: Any, key: str | None = None) -> None:
        value = _plain(value)
        if key is None:
            setattr(obj.ref, name, value)
        else:
            getattr(obj.ref, name)[key] = value


# ---------------------------------------------------------------------------------------
# Comparing numbers
# ---------------------------------------------------------------------------------------

# Tolerances: float64 code is exact to ~1e-12; correct float32 code to ~1e-6 relative.
VALUE_RTOL = 1e-4
GRAD_RTOL = 1e-3


def rel_diff(got: np.ndarray, expected: np.ndarray) -> float:
    """Size of the difference relative to the size of the expected array (a norm ratio)."""
    got = np.asarray(got, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    scale = np.linalg.norm(expected) + 1e-12
    return float(np.linalg.norm(got - expected) / scale)


def is_array(value: Any) -> bool:
    return isinstance(value, np.ndarray) and value.dtype.kind in "fiu"


def is_scalar(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, np.ndarray):
        return value.shape == () and value.dtype.kind in "fiu"
    return isinstance(value, (int, float, np.integer, np.floating))


def compare_array(what: str, got: Any, expected: np.ndarray, *, on: str, rtol: float = VALUE_RTOL) -> Finding:
    """Check that ``got`` is a finite array with the shape and values of ``expected``."""
    check = f"{what} on {on}"
    if not is_array(got):
        return Finding(False, check, f"{what} should be a numpy array of shape {expected.shape}, got {_kind(got)}")
    if got.shape != expected.shape:
        return Finding(False, check, f"{what} has shape {got.shape}, expected {expected.shape}")
    if not np.all(np.isfinite(got)):
        return Finding(False, check, f"{what} contains nan or inf")
    err = rel_diff(got, expected)
    if err > rtol:
        return Finding(False, check, f"{what} is wrong: relative error {err:.1e} (a correct answer is below {rtol:.0e})")
    return Finding(True, check)


def compare_scalar(what: str, got: Any, expected: float, *, on: str, rtol: float = VALUE_RTOL,
                   show_expected: bool = True) -> Finding:
    """Check that ``got`` is a finite number close to ``expected``."""
    check = f"{what} on {on}"
    if not is_scalar(got):
        return Finding(False, check, f"{what} should be a single number, got {_kind(got)}")
    got = float(got)
    if not np.isfinite(got):
        return Finding(False, check, f"{what} is {got}")
    if abs(got - expected) > rtol * max(abs(expected), 1e-8):
        exp = f"expected {expected:.6g}, got {got:.6g}" if show_expected else f"got {got:.6g}, which is wrong"
        return Finding(False, check, f"{what} is wrong: {exp}")
    return Finding(True, check)


def unchanged(what: str, before: np.ndarray, after: Any, *, on: str) -> Finding:
    """Check that an input array was left as the caller passed it."""
    ok = isinstance(after, np.ndarray) and after.shape == before.shape and np.array_equal(after, before)
    return Finding(ok, f"{what} left unmodified on {on}",
                   "" if ok else f"your function changed its input `{what}`", "" if ok else HINTS["in_place"])


def _kind(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, tuple):
        return f"a tuple of {len(value)}"
    if value is None:
        return "None (did you forget to assign or return it?)"
    return f"a {type(value).__name__}"


def numerical_gradient(f: Callable[[np.ndarray], Any], x: np.ndarray, df: np.ndarray | None = None,
                       h: float = 1e-5) -> np.ndarray:
    """Centered-difference gradient of sum(f(x) * df) (or of scalar f(x)), in float64."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        pos = f(x)
        flat[i] = old - h
        neg = f(x)
        flat[i] = old
        if df is None:
            gflat[i] = (float(pos) - float(neg)) / (2 * h)
        else:
            gflat[i] = float(np.sum((np.asarray(pos, dtype=np.float64) - np.asarray(neg, dtype=np.float64)) * df)) / (2 * h)
    return grad


def gradient_agrees(f: Callable[[np.ndarray], Any], x: np.ndarray, analytic: np.ndarray,
                    df: np.ndarray | None = None) -> tuple[bool, float]:
    """Does ``analytic`` match the numerical gradient of ``f`` at ``x``?

    First with h = 1e-5 and a 1e-4 tolerance (float64 code). Code that computes in float32 is
    correct too, but its rounding swamps such a small step: it gets a second chance with
    h = 1e-3 and a 1e-2 tolerance, still far below what a real mistake gives (1e-1 and up).
    """
    err = rel_diff(analytic, numerical_gradient(f, x, df, h=1e-5))
    if err <= 1e-4:
        return True, err
    coarse = rel_diff(analytic, numerical_gradient(f, x, df, h=1e-3))
    return coarse <= 1e-2, min(err, coarse)


# ---------------------------------------------------------------------------------------
# Running a check
# ---------------------------------------------------------------------------------------


@dataclass
class Case:
    """Inputs of one check and the expected results (``None`` where not known)."""

    on: str                      # "the fixed inputs of the exercise", "random inputs of shape (4, 3, 5)"
    inputs: dict[str, Any]
    expected: dict[str, Any] = field(default_factory=dict)
    # The grader's diagnosis of a wrong value: (what, got) -> hint naming a known mistake.
    diagnose: Callable[[str, Any], str] | None = None

    def hinted(self, what: str, got: Any, finding: Finding) -> Finding:
        if not finding.passed and not finding.hint and self.diagnose is not None:
            finding.hint = self.diagnose(what, got) or ""
        return finding


def guarded(check: str, body: Callable[[], list[Finding]]) -> list[Finding]:
    """Run ``body``; an exception of the student's code becomes one failed finding."""
    try:
        return body()
    except StudentCodeError as err:
        hint = HINTS["not_implemented"] if err.kind == "not_implemented" else ""
        return [Finding(False, check, str(err), hint)]


def unpack(what: str, result: Any, n: int, names: str) -> tuple[Any, ...] | Finding:
    if not isinstance(result, (tuple, list)) or len(result) != n:
        return Finding(False, f"{what} returns {names}",
                       f"{what} should return a tuple ({names}), got {_kind(result)}")
    return tuple(result)


# --- layers ----------------------------------------------------------------------------


def check_affine_forward(t: Target, case: Case) -> list[Finding]:
    x, w, b = case.inputs["x"], case.inputs["w"], case.inputs["b"]

    def body() -> list[Finding]:
        result, after = t.call("affine_forward", x, w, b, keep=[1], track=True)
        res = unpack("affine_forward", result, 2, "out, cache")
        if isinstance(res, Finding):
            return [res]
        out = res[0]
        found = []
        if "out" in case.expected:
            found.append(case.hinted("out", out, compare_array("out", out, case.expected["out"], on=case.on)))
        found += [unchanged(n, v, a, on=case.on) for n, v, a in zip("xwb", (x, w, b), after)]
        return found

    return guarded(f"affine_forward on {case.on}", body)


def check_affine_backward(t: Target, case: Case) -> list[Finding]:
    x, w, b, dout = (case.inputs[k] for k in ("x", "w", "b", "dout"))

    def body() -> list[Finding]:
        cache = forward_cache(t, "affine_forward", (x, w, b))
        result, after = t.call("affine_backward", dout, cache, track=True)
        res = unpack("affine_backward", result, 3, "dx, dw, db")
        if isinstance(res, Finding):
            return [res]
        found = []
        for name, got in zip(("dx", "dw", "db"), res):
            if name in case.expected:
                found.append(case.hinted(name, got, compare_array(name, got, case.expected[name], on=case.on, rtol=GRAD_RTOL)))
        found.append(unchanged("dout", dout, after[0], on=case.on))
        return found

    return guarded(f"affine_backward on {case.on}", body)


def check_relu_forward(t: Target, case: Case) -> list[Finding]:
    x = case.inputs["x"]

    def body() -> list[Finding]:
        result, after = t.call("relu_forward", x, keep=[1], track=True)
        res = unpack("relu_forward", result, 2, "out, cache")
        if isinstance(res, Finding):
            return [res]
        found = []
        if "out" in case.expected:
            found.append(case.hinted("out", res[0], compare_array("out", res[0], case.expected["out"], on=case.on)))
        found.append(unchanged("x", x, after[0], on=case.on))
        return found

    return guarded(f"relu_forward on {case.on}", body)


def check_relu_backward(t: Target, case: Case) -> list[Finding]:
    x, dout = case.inputs["x"], case.inputs["dout"]

    def body() -> list[Finding]:
        cache = forward_cache(t, "relu_forward", (x,))
        result, after = t.call("relu_backward", dout, cache, track=True)
        found = []
        if "dx" in case.expected:
            found.append(case.hinted("dx", result, compare_array("dx", result, case.expected["dx"], on=case.on, rtol=GRAD_RTOL)))
        found.append(unchanged("dout", dout, after[0], on=case.on))
        return found

    return guarded(f"relu_backward on {case.on}", body)


def forward_cache(t: Target, forward: str, args: tuple) -> Any:
    """The cache that the student's own forward pass returns for ``args``.

    The cache's layout is the student's choice, so backward passes are always checked with
    it. Only when the forward pass itself fails is the layout of the exercise's starter code
    (the inputs of the forward pass) tried instead, so that a broken forward pass costs only
    its own points.
    """
    try:
        result = t.call(forward, *args, keep=[1])
        if isinstance(result, tuple) and len(result) == 2:
            return result[1]
    except StudentCodeError:
        pass
    return args if len(args) > 1 else args[0]


# --- losses ----------------------------------------------------------------------------


def check_loss(t: Target, name: str, case: Case) -> list[Finding]:
    """svm_loss or softmax_loss: the loss, dx, shapes and the caller's scores left alone."""
    x, y = case.inputs["x"], case.inputs["y"]

    def body() -> list[Finding]:
        result, after = t.call(name, x, y, track=True)
        res = unpack(name, result, 2, "loss, dx")
        if isinstance(res, Finding):
            return [res]
        loss, dx = res
        found = []
        if "loss" in case.expected:
            found.append(case.hinted("loss", loss, compare_scalar("loss", loss, case.expected["loss"], on=case.on)))
        if "dx" in case.expected:
            found.append(case.hinted("dx", dx, compare_array("dx", dx, case.expected["dx"], on=case.on, rtol=GRAD_RTOL)))
        found.append(unchanged("x", x, after[0], on=case.on))
        return found

    return guarded(f"{name} on {case.on}", body)


def check_loss_shift(t: Target, name: str, x: np.ndarray, y: np.ndarray, offset: float, on: str) -> list[Finding]:
    """Adding the same number to every score changes neither the softmax nor the SVM loss."""

    def body() -> list[Finding]:
        base = t.call(name, x, y)
        shifted = t.call(name, x + offset, y)
        if not (isinstance(base, tuple) and isinstance(shifted, tuple) and len(base) == len(shifted) == 2):
            return [Finding(False, f"{name} with scores around {offset:g}", f"{name} should return (loss, dx)")]
        loss0, dx0 = base
        loss1, dx1 = shifted
        check = f"{name} with scores around {offset:g}"
        if not is_scalar(loss1) or not np.isfinite(float(loss1)) or not is_array(dx1) or not np.all(np.isfinite(dx1)):
            hint = HINTS["softmax_overflow"] if name == "softmax_loss" else ""
            return [Finding(False, check, f"{name} returns nan or inf when the scores are large ({on})", hint)]
        # Tolerances that float32 code meets (scores near 1000 keep ~4 digits after the point);
        # a loss that is not shift-invariant changes by far more.
        ok = (is_scalar(loss0) and abs(float(loss1) - float(loss0)) <= 1e-3 * max(1.0, abs(float(loss0)))
              and is_array(dx0) and dx0.shape == dx1.shape and rel_diff(dx1, dx0) <= 1e-2)
        return [Finding(ok, check, "" if ok else
                        f"adding {offset:g} to every score changed the loss or dx; it should change neither ({on})")]

    return guarded(f"{name} with scores around {offset:g}", body)


def check_gradient_numerically(t: Target, name: str, x: np.ndarray, y: np.ndarray, on: str) -> list[Finding]:
    """dx of a loss against the numerical gradient of the same function's loss."""
    check = f"{name}: dx against the numerical gradient of your loss on {on}"

    def body() -> list[Finding]:
        res = t.call(name, x, y)
        if not (isinstance(res, tuple) and len(res) == 2):
            return [Finding(False, check, f"{name} should return (loss, dx)")]
        dx = res[1]
        if not is_array(dx) or dx.shape != x.shape:
            return [Finding(False, check, f"dx should have the shape of x, {x.shape}, got {_kind(dx)}")]
        ok, err = gradient_agrees(lambda z: t.call(name, z, y)[0], x, dx)
        return [Finding(ok, check, "" if ok else f"relative error {err:.1e} between dx and the numerical gradient")]

    return guarded(check, body)


# --- the network -----------------------------------------------------------------------


def check_net_init(t: Target, D: int, H: int, C: int, weight_scale: float, on: str) -> list[Finding]:
    check = f"TwoLayerNet(input_dim={D}, hidden_dim={H}, num_classes={C}, weight_scale={weight_scale:g}) parameters"

    def body() -> list[Finding]:
        model = t.new("TwoLayerNet", input_dim=D, hidden_dim=H, num_classes=C, weight_scale=weight_scale)
        params = t.get(model, "params")
        if not isinstance(params, dict):
            return [Finding(False, check, f"self.params should be a dict, got {_kind(params)}")]
        found = []
        shapes = {"W1": (D, H), "b1": (H,), "W2": (H, C), "b2": (C,)}
        for key, shape in shapes.items():
            value = params.get(key)
            if value is None:
                found.append(Finding(False, f"params['{key}']", f"self.params has no '{key}'"))
            elif not is_array(value) or value.shape != shape:
                hint = HINTS["scalar_bias"] if key.startswith("b") and is_scalar(value) else ""
                found.append(Finding(False, f"params['{key}'] shape", f"params['{key}'] should be an array of shape {shape}, got {_kind(value)}", hint))
            elif key.startswith("b") and np.any(value != 0):
                found.append(Finding(False, f"params['{key}'] is zero", f"params['{key}'] should start at zero"))
            elif key.startswith("W"):
                # Six standard errors of the sample's std and mean: only real mistakes fail.
                std, n = float(np.std(value)), value.size
                tol = 6 / np.sqrt(2 * n)
                ok = (abs(std - weight_scale) < tol * weight_scale
                      and abs(float(np.mean(value))) < 6 * weight_scale / np.sqrt(n))
                found.append(Finding(ok, f"params['{key}'] scale", "" if ok else
                                     f"params['{key}'] has standard deviation {std:.2g}, expected about weight_scale = {weight_scale:g}",
                                     "" if ok else HINTS["weight_scale"]))
            else:
                found.append(Finding(True, f"params['{key}'] shape and value"))
        return found

    return guarded(check, body)


def net_with_params(t: Target, params: dict[str, np.ndarray], reg: float) -> Handle:
    """A student network whose parameters and reg are set after construction."""
    D, H = params["W1"].shape
    C = params["W2"].shape[1]
    model = t.new("TwoLayerNet", input_dim=D, hidden_dim=H, num_classes=C)
    for key, value in params.items():
        t.set(model, "params", value, key=key)
    t.set(model, "reg", reg)
    return model


def check_net_loss(t: Target, case: Case) -> list[Finding]:
    """Scores, loss and gradients of a TwoLayerNet with given parameters (reg set after construction)."""
    params, X, y, reg = (case.inputs[k] for k in ("params", "X", "y", "reg"))

    def body() -> list[Finding]:
        model = net_with_params(t, params, reg)
        found = []
        if "scores" in case.expected:
            scores = t.method(model, "loss", X)
            found.append(case.hinted("scores", scores, compare_array("scores", scores, case.expected["scores"], on=case.on)))
        res = t.method(model, "loss", X, y)
        res = unpack("TwoLayerNet.loss(X, y)", res, 2, "loss, grads")
        if isinstance(res, Finding):
            return found + [res]
        loss, grads = res
        if "loss" in case.expected:
            found.append(case.hinted("loss", loss, compare_scalar(f"loss with reg = {reg:g}", loss, case.expected["loss"], on=case.on)))
        if "grads" in case.expected:
            if not isinstance(grads, dict):
                found.append(Finding(False, f"grads with reg = {reg:g} on {case.on}", f"grads should be a dict, got {_kind(grads)}"))
            else:
                for key, exp in case.expected["grads"].items():
                    if key not in grads:
                        found.append(Finding(False, f"grads['{key}']", f"grads has no '{key}'"))
                    else:
                        found.append(case.hinted(key, grads[key], compare_array(f"grads['{key}'] with reg = {reg:g}", grads[key], exp, on=case.on, rtol=GRAD_RTOL)))
        return found

    return guarded(f"TwoLayerNet.loss on {case.on}", body)


def check_net_numerically(t: Target, params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray,
                          reg: float, on: str) -> list[Finding]:
    """Gradients of TwoLayerNet.loss against numerical gradients of the same loss."""
    check = f"TwoLayerNet gradients against the numerical gradient of your loss (reg = {reg:g}) on {on}"

    def body() -> list[Finding]:
        model = net_with_params(t, params, reg)
        res = t.method(model, "loss", X, y)
        if not (isinstance(res, tuple) and len(res) == 2 and isinstance(res[1], dict)):
            return [Finding(False, check, "loss(X, y) should return (loss, grads)")]
        grads = res[1]
        found = []
        for key in ("W1", "b1", "W2", "b2"):
            current = {k: v.copy() for k, v in params.items()}

            def f(value: np.ndarray, key: str = key) -> float:
                t.set(model, "params", value, key=key)
                return float(t.method(model, "loss", X, y)[0])

            got = grads.get(key)
            if not is_array(got) or got.shape != current[key].shape:
                found.append(Finding(False, f"grads['{key}'] numerically", f"grads['{key}'] should have shape {current[key].shape}, got {_kind(got)}"))
                continue
            ok, err = gradient_agrees(f, current[key], got)
            t.set(model, "params", current[key], key=key)
            found.append(Finding(ok, f"grads['{key}'] against the numerical gradient (reg = {reg:g})",
                                 "" if ok else f"relative error {err:.1e} (should be below 1e-4; 1e-2 "
                                               "for code that computes in float32)"))
        return found

    return guarded(check, body)


# --- inline questions ------------------------------------------------------------------


def check_choices_format(t: Target, name: str, options: Iterable[int]) -> list[Finding]:
    options = set(options)

    def body() -> list[Finding]:
        value = t.get(None, name)
        ok = isinstance(value, (set, frozenset)) and value and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) and int(v) in options for v in value)
        return [Finding(bool(ok), f"{name} is a set of option numbers",
                        "" if ok else f"{name} should be a non-empty set of numbers from {sorted(options)}, got {value!r}",
                        "" if ok else HINTS["choices_format"])]

    return guarded(f"{name} is a set of option numbers", body)


# ---------------------------------------------------------------------------------------
# Visible inputs, with values of the original exercise
# ---------------------------------------------------------------------------------------


def _affine_fixed() -> dict[str, np.ndarray]:
    num_inputs, input_shape, output_dim = 2, (4, 5, 6), 3
    input_size = num_inputs * int(np.prod(input_shape))
    weight_size = output_dim * int(np.prod(input_shape))
    return {
        "x": np.linspace(-0.1, 0.5, num=input_size).reshape(num_inputs, *input_shape),
        "w": np.linspace(-0.2, 0.3, num=weight_size).reshape(int(np.prod(input_shape)), output_dim),
        "b": np.linspace(-0.3, 0.1, num=output_dim),
    }


FIXED = "the fixed inputs of the exercise"

# The values the original exercise states (tests/test_checks.py checks them against
# the reference solution and against hand-computed values).
AFFINE_FIXED_OUT = np.array([[1.49834967, 1.70660132, 1.91485297],
                             [3.25553199, 3.5141327, 3.77273342]])
RELU_FIXED_OUT = np.array([[0., 0., 0., 0.],
                           [0., 0., 0.04545455, 0.13636364],
                           [0.22727273, 0.31818182, 0.40909091, 0.5]])
NET_FIXED_SCORES = np.asarray(
    [[11.53165108, 12.2917344, 13.05181771, 13.81190102, 14.57198434, 15.33206765, 16.09215096],
     [12.05769098, 12.74614105, 13.43459113, 14.1230412, 14.81149128, 15.49994135, 16.18839143],
     [12.58373087, 13.20054771, 13.81736455, 14.43418138, 15.05099822, 15.66781506, 16.2846319]])
NET_FIXED_LOSS = {0.0: 3.4702243556, 1.0: 26.5948426952}


def net_fixed_params(D: int = 5, H: int = 50, C: int = 7) -> dict[str, np.ndarray]:
    return {
        "W1": np.linspace(-0.7, 0.3, num=D * H).reshape(D, H),
        "b1": np.linspace(-0.1, 0.9, num=H),
        "W2": np.linspace(-0.3, 0.4, num=H * C).reshape(H, C),
        "b2": np.linspace(-0.9, 0.1, num=C),
    }


def net_fixed_X(N: int = 3, D: int = 5) -> np.ndarray:
    return np.linspace(-5.5, 4.5, num=N * D).reshape(D, N).T


VISIBLE_FILE = "visible_expected.npz"


def visible_cases() -> dict[str, list[Case]]:
    """The visible inputs of every item, seeded so that everyone sees the same ones.

    Expected values come from ``visible_expected.npz`` beside this file (written by the
    course's reference solution, like the numbers the original exercise prints in its cells).
    """
    rng = np.random.default_rng(231)
    fixed = _affine_fixed()
    xb, wb, bb = rng.standard_normal((10, 2, 3)), rng.standard_normal((6, 5)), rng.standard_normal(5)
    relu_x = rng.standard_normal((10, 10))
    net = {"W1": 0.5 * rng.standard_normal((4, 6)), "b1": 0.1 * rng.standard_normal(6),
           "W2": 0.5 * rng.standard_normal((6, 3)), "b2": 0.1 * rng.standard_normal(3)}
    net_X, net_y = rng.standard_normal((5, 4)), rng.integers(3, size=5)
    loss_x, loss_y = rng.standard_normal((5, 4)), rng.integers(4, size=5)
    return {
        "affine_forward": [
            Case(FIXED, fixed, {"out": AFFINE_FIXED_OUT}),
            Case("random inputs x (10, 2, 3), w (6, 5), b (5,)", {"x": xb, "w": wb, "b": bb}),
        ],
        "affine_backward": [
            Case("random inputs x (10, 2, 3), w (6, 5), b (5,)",
                 {"x": xb, "w": wb, "b": bb, "dout": rng.standard_normal((10, 5))}),
        ],
        "relu_forward": [
            Case(FIXED, {"x": np.linspace(-0.5, 0.5, num=12).reshape(3, 4)}, {"out": RELU_FIXED_OUT}),
        ],
        "relu_backward": [
            Case("random inputs of shape (10, 10)", {"x": relu_x, "dout": rng.standard_normal(relu_x.shape)}),
        ],
        "svm_loss": [Case("random scores (5, 4)", {"x": loss_x, "y": loss_y})],
        "softmax_loss": [Case("random scores (5, 4)", {"x": loss_x, "y": loss_y})],
        "two_layer_net": [
            Case(FIXED, {"params": net_fixed_params(), "X": net_fixed_X(), "y": np.asarray([0, 5, 1]), "reg": 0.0},
                 {"scores": NET_FIXED_SCORES, "loss": NET_FIXED_LOSS[0.0]}),
            Case(FIXED, {"params": net_fixed_params(), "X": net_fixed_X(), "y": np.asarray([0, 5, 1]), "reg": 1.0},
                 {"loss": NET_FIXED_LOSS[1.0]}),
            Case("random inputs (5, 4) where some hidden units are off",
                 {"params": net, "X": net_X, "y": net_y, "reg": 0.3}),
        ],
    }


def _with_expected(item: str, cases: list[Case]) -> list[Case]:
    from pathlib import Path

    path = Path(__file__).with_name(VISIBLE_FILE)
    with np.load(path, allow_pickle=False) as stored:
        for i, case in enumerate(cases):
            prefix = f"{item}/{i}/"
            for key in stored.files:
                if key.startswith(prefix):
                    name = key[len(prefix):]
                    if name.startswith("grads."):
                        case.expected.setdefault("grads", {})[name[6:]] = stored[key]
                    else:
                        value = stored[key]
                        case.expected[name] = float(value) if value.shape == () else value
    return cases


CHECKERS: dict[str, Callable[[Target, Case], list[Finding]]] = {
    "affine_forward": check_affine_forward,
    "affine_backward": check_affine_backward,
    "relu_forward": check_relu_forward,
    "relu_backward": check_relu_backward,
    "svm_loss": lambda t, case: check_loss(t, "svm_loss", case),
    "softmax_loss": lambda t, case: check_loss(t, "softmax_loss", case),
    "two_layer_net": check_net_loss,
}
CHOICE_OPTIONS = {"inline_question_1_choices": (1, 2, 3), "inline_question_2_choices": (1, 2, 3, 4)}


def visible_findings(item: str, t: Target) -> list[Finding]:
    """The checks of one item on visible inputs (what ``self_check`` and ``*_check`` cells run)."""
    if item in CHOICE_OPTIONS:
        return check_choices_format(t, item, CHOICE_OPTIONS[item])
    if item not in CHECKERS:
        raise KeyError(f"no visible checks for {item!r}")
    found: list[Finding] = []
    if item == "two_layer_net":
        found += check_net_init(t, 5, 50, 7, 1e-3, FIXED)
    cases = _with_expected(item, visible_cases()[item])
    for case in cases:
        found += CHECKERS[item](t, case)
    if item in ("svm_loss", "softmax_loss"):
        x, y = cases[0].inputs["x"], cases[0].inputs["y"]
        found += check_gradient_numerically(t, item, x, y, cases[0].on)
        found += check_loss_shift(t, item, x, y, 1e3, "random scores (5, 4) plus 1000")
    if item == "two_layer_net":
        case = cases[-1]
        for reg in (0.0, case.inputs["reg"]):
            found += check_net_numerically(t, case.inputs["params"], case.inputs["X"], case.inputs["y"], reg, case.on)
    return found


def report(item: str, findings: list[Finding], *, verbose: bool = True) -> str:
    lines = [f.text() for f in findings if verbose or not f.passed]
    passed = sum(f.passed for f in findings)
    verdict = "all checks passed" if passed == len(findings) else f"{len(findings) - passed} of {len(findings)} checks failed"
    return "\n".join([f"{item}: {verdict}"] + ["  " + line for line in lines])


def self_check(item: str, namespace: dict[str, Any], *, verbose: bool = False) -> None:
    """Check one item of your notebook on visible inputs; prints PASS/FAIL and raises when a check fails.

    Call it as ``self_check("affine_forward", globals())``. The grader runs these checks
    and more of them on hidden inputs.
    """
    findings = visible_findings(item, LocalTarget(namespace))
    print(report(item, findings, verbose=verbose))
    if not all(f.passed for f in findings):
        raise CheckFailed(item, findings)

