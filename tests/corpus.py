"""Submissions for testing the grader: real mistakes, differently written correct code.

Each submission is the source notebook's answer cells with some cells rewritten, written
into a student notebook (the release notebook with its answer cells filled in). Mistakes are
small edits of the reference cells, so that each one is exactly one realistic mistake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from autograder.course.reference import fill_notebook, solution_answers

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "source" / "two_layer_net" / "two_layer_net.ipynb"
RELEASE = REPO / "release" / "two_layer_net" / "two_layer_net.ipynb"


ANSWERS = solution_answers()


def edit(item: str, old: str, new: str, count: int = 1) -> dict[str, str]:
    """The reference answer of ``item`` with ``old`` replaced by ``new`` (which must occur)."""
    src = ANSWERS[item]
    if src.count(old) < 1:
        raise ValueError(f"{old!r} not in the {item} cell")
    return {item: src.replace(old, new, count)}


def write_submission(
    path: Path, answers: dict[str, str] | None = None, *, base: Path = RELEASE, solved: bool = True
) -> Path:
    """A student notebook: ``base`` with every answer cell filled (reference unless overridden)."""
    return fill_notebook(base, path, {**(ANSWERS if solved else {}), **(answers or {})})


@dataclass
class Mistake:
    name: str
    item: str
    answers: dict[str, str]
    message: str  # a phrase the feedback must contain (names the mistake)
    also: tuple[str, ...] = ()  # other items allowed to fail (they call the broken one)
    extra: dict = field(default_factory=dict)


A = ANSWERS
SLOW_SOLVER = edit("solver", 'optim_config={"learning_rate": learning_rate}', 'optim_config={"learning_rate": 1e-6}')

MISTAKES: list[Mistake] = [
    # affine_forward
    Mistake(
        "no reshape of a multi-dimensional input",
        "affine_forward",
        edit("affine_forward", "x.reshape(x.shape[0], -1) @ w + b", "x @ w + b"),
        "Reshape x into rows",
        also=("two_layer_net",),
    ),
    Mistake(
        "bias left out",
        "affine_forward",
        edit("affine_forward", "x.reshape(x.shape[0], -1) @ w + b", "x.reshape(x.shape[0], -1) @ w"),
        "Add the bias",
        also=("two_layer_net",),
    ),
    Mistake(
        "input reshaped column-major",
        "affine_forward",
        edit("affine_forward", "x.reshape(x.shape[0], -1)", 'x.reshape(x.shape[0], -1, order="F")'),
        "row-major",
        also=("two_layer_net",),
    ),
    # affine_backward
    Mistake(
        "dx returned flat",
        "affine_backward",
        edit("affine_backward", "dx = (dout @ w.T).reshape(x.shape)", "dx = dout @ w.T"),
        "dx must have the shape",
        also=(),
    ),
    Mistake(
        "db averaged over the batch",
        "affine_backward",
        edit("affine_backward", "db = dout.sum(axis=0)", "db = dout.mean(axis=0)"),
        "db is the sum",
        also=("two_layer_net",),
    ),
    Mistake(
        "dw transposed",
        "affine_backward",
        edit("affine_backward", "dw = x_rows.T @ dout", "dw = dout.T @ x_rows"),
        "dw has shape",
        also=("two_layer_net",),
    ),
    Mistake(
        "dx from w instead of w.T",
        "affine_backward",
        edit("affine_backward", "dx = (dout @ w.T).reshape(x.shape)", "dx = (dout @ w).reshape(x.shape)"),
        "raised ValueError",
        also=("two_layer_net",),
    ),
    # relu_forward
    Mistake(
        "leaky ReLU",
        "relu_forward",
        edit("relu_forward", "out = np.maximum(x, 0)", "out = np.where(x > 0, x, 0.01 * x)"),
        "ReLU is max(0, x)",
        also=("two_layer_net",),
    ),
    Mistake(
        "ReLU in place on the caller's array",
        "relu_forward",
        edit("relu_forward", "out = np.maximum(x, 0)", "x[x < 0] = 0\n    out = x"),
        "changed its input",
        also=("two_layer_net",),
    ),
    Mistake(
        "np.max instead of np.maximum",
        "relu_forward",
        edit("relu_forward", "out = np.maximum(x, 0)", "out = np.max(x, 0)"),
        "elementwise np.maximum",
        also=("two_layer_net",),
    ),
    # relu_backward
    Mistake(
        "ReLU mask taken from dout",
        "relu_backward",
        edit("relu_backward", "dx = dout * (x > 0)", "dx = dout * (dout > 0)"),
        "mask comes from the forward input",
        also=("two_layer_net",),
    ),
    Mistake(
        "ReLU backward in place on dout",
        "relu_backward",
        edit("relu_backward", "dx = dout * (x > 0)", "dout[x <= 0] = 0\n    dx = dout"),
        "changed its input",
    ),
    Mistake(
        "leaky ReLU gradient",
        "relu_backward",
        edit("relu_backward", "dx = dout * (x > 0)", "dx = dout * np.where(x > 0, 1.0, 0.01)"),
        "ReLU is max(0, x)",
        also=("two_layer_net",),
    ),
    # svm_loss
    Mistake(
        "SVM margin without its delta",
        "svm_loss",
        edit("svm_loss", "x - x[rows, y][:, None] + 1.0", "x - x[rows, y][:, None]"),
        "delta of 1",
    ),
    Mistake(
        "SVM loss and gradient not averaged",
        "svm_loss",
        {
            "svm_loss": A["svm_loss"]
            .replace("loss = margins.sum() / N", "loss = margins.sum()")
            .replace("dx = positive / N", "dx = positive")
        },
        "divide by N",
    ),
    Mistake(
        "SVM sum includes the correct class",
        "svm_loss",
        edit("svm_loss", "    margins[rows, y] = 0\n", ""),
        "Skip the correct class",
    ),
    # softmax_loss
    Mistake(
        "softmax on raw scores (overflows)",
        "softmax_loss",
        {"softmax_loss": A["softmax_loss"].replace("shifted = x - x.max(axis=1, keepdims=True)", "shifted = x")},
        "subtract each row's maximum",
        also=(),
    ),
    Mistake(
        "row max subtracted in place from the caller's scores",
        "softmax_loss",
        edit(
            "softmax_loss",
            "shifted = x - x.max(axis=1, keepdims=True)",
            "x -= x.max(axis=1, keepdims=True)\n    shifted = x",
        ),
        "changed its input",
    ),
    Mistake(
        "softmax loss and gradient not averaged",
        "softmax_loss",
        {
            "softmax_loss": A["softmax_loss"]
            .replace("loss = -log_probs[rows, y].sum() / N", "loss = -log_probs[rows, y].sum()")
            .replace("    dx /= N\n", "")
        },
        "divide by N",
        also=("two_layer_net",),
    ),
    Mistake(
        "softmax gradient without the -1 of the correct class",
        "softmax_loss",
        edit("softmax_loss", "    dx[rows, y] -= 1\n", ""),
        "correct class needs the -1",
        also=("two_layer_net",),
    ),
    Mistake(
        "softmax loss sign flipped",
        "softmax_loss",
        edit("softmax_loss", "loss = -log_probs[rows, y].sum() / N", "loss = log_probs[rows, y].sum() / N"),
        "check the sign",
        also=("two_layer_net",),
    ),
    # two_layer_net
    Mistake(
        "scalar biases",
        "two_layer_net",
        {
            "two_layer_net": A["two_layer_net"]
            .replace('self.params["b1"] = np.zeros(hidden_dim)', 'self.params["b1"] = 0')
            .replace('self.params["b2"] = np.zeros(num_classes)', 'self.params["b2"] = 0')
        },
        "zero vectors of the right length",
    ),
    Mistake(
        "weights not scaled by weight_scale",
        "two_layer_net",
        edit(
            "two_layer_net", 'self.params["W1"] = weight_scale * np.random.randn', 'self.params["W1"] = np.random.randn'
        ),
        "standard deviation weight_scale",
    ),
    Mistake(
        "network without its ReLU",
        "two_layer_net",
        edit("two_layer_net", "hidden, relu_cache = relu_forward(hidden)", "relu_cache = hidden"),
        "must go through a ReLU",
        extra={"note": "the gradients use relu_backward with the pre-activation as cache"},
    ),
    Mistake(
        "regularisation with factor 1 instead of 0.5",
        "two_layer_net",
        edit("two_layer_net", "loss += 0.5 * self.reg *", "loss += self.reg *"),
        "0.5 * reg",
    ),
    Mistake(
        "regularisation missing from the gradients",
        "two_layer_net",
        {
            "two_layer_net": A["two_layer_net"]
            .replace('        grads["W1"] += self.reg * W1\n', "")
            .replace('        grads["W2"] += self.reg * W2\n', "")
        },
        "Add the gradient of the regularisation",
    ),
    Mistake(
        "regularisation gradient with factor 0.5",
        "two_layer_net",
        {
            "two_layer_net": A["two_layer_net"]
            .replace('grads["W1"] += self.reg * W1', 'grads["W1"] += 0.5 * self.reg * W1')
            .replace('grads["W2"] += self.reg * W2', 'grads["W2"] += 0.5 * self.reg * W2')
        },
        "its gradient is reg * W",
    ),
    Mistake(
        "biases regularised",
        "two_layer_net",
        edit(
            "two_layer_net",
            "(np.sum(W1 * W1) + np.sum(W2 * W2))",
            "(np.sum(W1 * W1) + np.sum(W2 * W2) + np.sum(b1 * b1) + np.sum(b2 * b2))",
        ),
        "Biases are not regularised",
    ),
    Mistake(
        "SVM loss instead of softmax in the network",
        "two_layer_net",
        edit("two_layer_net", "loss, dscores = softmax_loss(scores, y)", "loss, dscores = svm_loss(scores, y)"),
        "softmax loss",
    ),
    Mistake(
        "reg read once in __init__",
        "two_layer_net",
        {
            "two_layer_net": A["two_layer_net"]
            .replace("self.reg = reg\n", "self.reg = reg\n        self._reg = reg\n")
            .replace("loss += 0.5 * self.reg *", "loss += 0.5 * self._reg *")
            .replace('grads["W1"] += self.reg * W1', 'grads["W1"] += self._reg * W1')
            .replace('grads["W2"] += self.reg * W2', 'grads["W2"] += self._reg * W2')
        },
        "self.reg",
    ),
    # training
    Mistake("weak Solver configuration", "solver", SLOW_SOLVER, "below"),
    Mistake("Solver never trained", "solver", edit("solver", "solver.train()", "pass"), "below"),
    Mistake(
        "untrained best model",
        "hyperparameter_search",
        edit(
            "hyperparameter_search",
            "best_model = search.best_model",
            "best_model = TwoLayerNet(input_dim=input_dim, num_classes=num_classes)",
        ),
        "below",
    ),
    Mistake(
        "best_model left unset",
        "hyperparameter_search",
        edit("hyperparameter_search", "best_model = search.best_model", "pass"),
        "not a trained model",
    ),
    # inline questions
    Mistake(
        "Leaky ReLU chosen in inline question 1",
        "inline_question_1_choices",
        {"inline_question_1_choices": "inline_question_1_choices = {1, 2, 3}"},
        "not right",
    ),
    Mistake(
        "more hidden units chosen in inline question 2",
        "inline_question_2_choices",
        {"inline_question_2_choices": "inline_question_2_choices = {1, 2, 3}"},
        "not right",
    ),
    Mistake(
        "inline question answered as a string",
        "inline_question_1_choices",
        {"inline_question_1_choices": 'inline_question_1_choices = "1, 2"'},
        "set of option numbers",
    ),
]


# --- correct submissions written differently --------------------------------------------

LOOPS = {
    "affine_forward": """
def affine_forward(x, w, b):
    N = x.shape[0]
    out = np.zeros((N, w.shape[1]))
    for i in range(N):
        row = x[i].ravel()
        for j in range(w.shape[1]):
            out[i, j] = sum(row[k] * w[k, j] for k in range(w.shape[0])) + b[j]
    cache = (x, w, b)
    return out, cache
""",
    "relu_forward": """
def relu_forward(x):
    out = x.copy()
    flat = out.reshape(-1)
    for i in range(flat.size):
        if flat[i] < 0:
            flat[i] = 0.0
    return out, x
""",
    "svm_loss": """
def svm_loss(x, y):
    N, C = x.shape
    loss = 0.0
    dx = np.zeros_like(x, dtype=float)
    for i in range(N):
        for j in range(C):
            if j == y[i]:
                continue
            margin = x[i, j] - x[i, y[i]] + 1
            if margin > 0:
                loss += margin
                dx[i, j] += 1
                dx[i, y[i]] -= 1
    return loss / N, dx / N
""",
}

EINSUM = {
    "affine_forward": """
def affine_forward(x, w, b):
    out = np.einsum("nd,dm->nm", x.reshape(len(x), -1), w) + b[None, :]
    return out, (x, w, b)
""",
    "affine_backward": """
def affine_backward(dout, cache):
    x, w, b = cache
    dx = np.einsum("nm,dm->nd", dout, w).reshape(x.shape)
    dw = np.einsum("nd,nm->dm", x.reshape(len(x), -1), dout)
    db = np.einsum("nm->m", dout)
    return dx, dw, db
""",
}

WHERE = {
    "relu_forward": """
def relu_forward(x):
    return np.where(x > 0, x, 0.0), x
""",
    "relu_backward": """
def relu_backward(dout, cache):
    return np.where(cache > 0, dout, 0.0)
""",
}

OTHER_CACHES = {
    "affine_forward": """
def affine_forward(x, w, b):
    rows = x.reshape(x.shape[0], -1)
    out = rows.dot(w) + b
    cache = {"shape": x.shape, "rows": rows, "w": w}
    return out, cache
""",
    "affine_backward": """
def affine_backward(dout, cache):
    dx = dout.dot(cache["w"].T).reshape(cache["shape"])
    dw = cache["rows"].T.dot(dout)
    db = np.sum(dout, axis=0)
    return dx, dw, db
""",
    "relu_forward": """
def relu_forward(x):
    mask = x > 0
    return x * mask, mask
""",
    "relu_backward": """
def relu_backward(dout, cache):
    return dout * cache
""",
}

FLOAT32 = {
    "affine_forward": """
def affine_forward(x, w, b):
    x32, w32, b32 = (np.asarray(a, dtype=np.float32) for a in (x, w, b))
    out = x32.reshape(x32.shape[0], -1) @ w32 + b32
    return out, (x, w, b)
""",
    "softmax_loss": """
def softmax_loss(x, y):
    z = x.astype(np.float32)
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    N = len(y)
    loss = float(-np.log(p[np.arange(N), y]).mean())
    p[np.arange(N), y] -= 1
    return loss, (p / N).astype(x.dtype)
""",
}

PRINTS = {
    item: src.replace("    return", "    print('debug: computing', flush=True)\n    return", 1)
    for item, src in ANSWERS.items()
    if item in ("affine_forward", "relu_forward", "svm_loss", "softmax_loss")
}
PRINTS["affine_backward"] = "print('my affine_backward cell')\n" + ANSWERS["affine_backward"]

HELPERS = {
    "affine_forward": '''
def as_rows(x):
    """My own helper: flatten every example into a row."""
    return x.reshape(x.shape[0], -1)


def affine_forward(x, w, b):
    return as_rows(x) @ w + b, (x, w, b)
''',
    "affine_backward": """
def affine_backward(dout, cache):
    x, w, b = cache
    return (dout @ w.T).reshape(x.shape), as_rows(x).T @ dout, dout.sum(0)
""",
    "softmax_loss": """
def log_softmax(s):
    s = s - np.max(s, axis=1, keepdims=True)
    return s - np.log(np.sum(np.exp(s), axis=1, keepdims=True))


def softmax_loss(x, y):
    lp = log_softmax(x)
    n = x.shape[0]
    dx = np.exp(lp)
    dx[np.arange(n), y] -= 1
    return -np.mean(lp[np.arange(n), y]), dx / n
""",
    "two_layer_net": """
class TwoLayerNet(object):
    def __init__(self, input_dim=3 * 32 * 32, hidden_dim=100, num_classes=10, weight_scale=1e-3, reg=0.0):
        self.reg = reg
        self.params = {
            "W1": np.random.normal(0.0, weight_scale, size=(input_dim, hidden_dim)),
            "b1": np.zeros((hidden_dim,)),
            "W2": np.random.normal(0.0, weight_scale, size=(hidden_dim, num_classes)),
            "b2": np.zeros((num_classes,)),
        }

    def loss(self, X, y=None):
        p = self.params
        Xr = X.reshape(X.shape[0], -1)
        pre = Xr @ p["W1"] + p["b1"]
        h = np.maximum(pre, 0)
        scores = h @ p["W2"] + p["b2"]
        if y is None:
            return scores
        loss, ds = softmax_loss(scores, y)
        loss += 0.5 * self.reg * sum(np.sum(p[k] ** 2) for k in ("W1", "W2"))
        grads = {"W2": h.T @ ds + self.reg * p["W2"], "b2": ds.sum(0)}
        dh = (ds @ p["W2"].T) * (pre > 0)
        grads["W1"] = Xr.T @ dh + self.reg * p["W1"]
        grads["b1"] = dh.sum(0)
        return loss, grads
""",
}

OWN_TRAINING = {
    "solver": """
# My own configuration, chosen for the dataset in use.
lr = 1e-3 if data["name"] == "cifar10" else 0.5
model = TwoLayerNet(input_dim=input_dim, hidden_dim=64, num_classes=num_classes, weight_scale=0.01)
solver = Solver(model, data, optim_config={"learning_rate": lr}, lr_decay=0.9,
                num_epochs=8 if data["name"] == "cifar10" else 25, batch_size=100, print_every=1000)
solver.train()
""",
    "hyperparameter_search": """
import itertools
best_val = -1
best_model = None
rng = np.random.default_rng(0)
lrs = [1e-3] if data["name"] == "cifar10" else [1.0, 1.5]
for lr, reg in itertools.product(lrs, [0.0, 1e-4]):
    net = TwoLayerNet(input_dim=input_dim, hidden_dim=150, num_classes=num_classes, reg=reg)
    s = Solver(net, data, optim_config={"learning_rate": lr}, num_epochs=10 if data["name"] == "cifar10" else 40,
               batch_size=200, lr_decay=0.95, verbose=False)
    s.train()
    search.record(net, s, learning_rate=lr, reg=reg, hidden_dim=150, num_epochs=s.num_epochs)
    if s.best_val_acc > best_val:
        best_val, best_model = s.best_val_acc, net
""",
}

CORRECT: dict[str, dict[str, str]] = {
    "loops": LOOPS,
    "einsum": EINSUM,
    "np.where": WHERE,
    "other cache layouts": OTHER_CACHES,
    "float32": FLOAT32,
    "extra prints": PRINTS,
    "helper functions of their own": HELPERS,
    "solver and search written their own way": OWN_TRAINING,
}


def mistake_rows(results: dict) -> list[tuple[str, str, float, str]]:
    """(mistake, item, points lost, the message the student gets) for every mistake."""
    from autograder.course.items import item_points

    rows = []
    for m in MISTAKES:
        r = results[m.name]
        got = sum(c.points or 0 for c in r.cells if c.item == m.item)
        failed = [f for c in r.cells_of(m.item) for f in c.failures]
        hinted = [f for f in failed if f.hint]
        first = (hinted or failed)[0]
        message = first.hint or first.message
        rows.append((m.name, m.item, item_points(m.item) - got, message))
    return rows


def mistakes_markdown(rows: list[tuple[str, str, float, str]]) -> str:
    lines = [
        "# Mistakes the grader tells apart",
        "",
        "Generated by `tools/mistakes_table.py` from the corpus in `tests/corpus.py` (each submission is the",
        "solution with one realistic mistake); `tests/test_autograder/test_grading.py` checks that every row still",
        "holds.",
        "Points lost are on the item itself, the share of its checks that the mistake fails; the items that",
        "call the broken one (TwoLayerNet calls the layers) are checked with a correct version of it in its",
        "place and keep their points (`[grading] replace_failed_dependencies`, docs/reference.md).",
        "",
        "| mistake | item | points lost | what the student reads |",
        "|---|---|---|---|",
    ]
    for name, item, lost, message in rows:
        lines.append(f"| {name} | `{item}` | {lost:g} | {message.replace('|', '/')} |")
    return "\n".join(lines) + "\n"


# --- hostile submissions ------------------------------------------------------------------

WRONG_AFFINE = """
def affine_forward(x, w, b):
    return np.zeros((x.shape[0], w.shape[1])), (x, w, b)
"""


@dataclass
class Hostile:
    name: str
    answers: dict[str, str]
    item: str  # the item it attacks (must not gain points there)
    message: str = ""  # a phrase the feedback of that item must contain
    graded_normally: tuple[str, ...] = ("relu_forward", "svm_loss")  # items that must keep full marks


HOSTILE: list[Hostile] = [
    Hostile(
        "infinite loop in a function",
        {"affine_forward": "def affine_forward(x, w, b):\n    while True:\n        pass\n"},
        "affine_forward",
        "did not finish",
    ),
    Hostile(
        "infinite loop at the top of a cell",
        {"svm_loss": ANSWERS["svm_loss"] + "\nwhile True:\n    pass\n"},
        "svm_loss",
        "did not finish",
        graded_normally=("relu_forward", "affine_forward"),
    ),
    Hostile(
        "memory bomb",
        {
            "affine_forward": "def affine_forward(x, w, b):\n    blocks = []\n    while True:\n"
            "        blocks.append(np.ones(10**8))\n"
        },
        "affine_forward",
        "ran out of memory|did not finish",
    ),
    Hostile(
        "os._exit",
        {"affine_forward": "import os\n\ndef affine_forward(x, w, b):\n    os._exit(0)\n"},
        "affine_forward",
        "stopped the Python process",
    ),
    Hostile(
        "sys.exit",
        {"affine_forward": "import sys\n\ndef affine_forward(x, w, b):\n    sys.exit(0)\n"},
        "affine_forward",
        "sys.exit",
    ),
    Hostile(
        "spawning processes",
        {
            "affine_forward": "import subprocess\n\ndef affine_forward(x, w, b):\n"
            "    subprocess.run(['sh', '-c', 'sleep 1000 &'])\n    raise RuntimeError('spawned')\n"
        },
        "affine_forward",
        "spawned",
    ),
    Hostile(
        "fork bomb",
        {"affine_forward": "import os\n\ndef affine_forward(x, w, b):\n    while True:\n        os.fork()\n"},
        "affine_forward",
        "",
    ),
    Hostile(
        "thread bomb",
        {
            "affine_forward": "import threading, time\n\ndef affine_forward(x, w, b):\n    while True:\n"
            "        threading.Thread(target=time.sleep, args=(1000,), daemon=True).start()\n"
        },
        "affine_forward",
        "limit of processes and threads|limit of 64 processes and threads",
    ),
    Hostile(
        # Each call leaves processes behind, and goes on when it cannot start them any more: up
        # to the limit, when nothing else can start either (OpenBLAS, which rebuilds its threads
        # after every fork, would wait for them forever).
        "processes left behind",
        {
            "softmax_loss": "import os, time\n"
            + ANSWERS["softmax_loss"].replace("def softmax_loss(", "def _softmax_loss(")
            + "\ndef softmax_loss(x, y):\n    for _ in range(8):\n        try:\n            if os.fork() == 0:\n"
            "                time.sleep(1000)\n                os._exit(0)\n        except OSError:\n            pass\n"
            "    return _softmax_loss(x, y)\n"
        },
        "softmax_loss",
        "limit of 64 processes and threads",
    ),
    Hostile(
        "monkeypatching numpy",
        {
            "affine_forward": "np.allclose = lambda *a, **k: True\n"
            "np.linalg.norm = lambda *a, **k: 0.0\n"
            "np.array_equal = lambda *a, **k: True\n" + WRONG_AFFINE
        },
        "affine_forward",
        "out is wrong",
    ),
    Hostile(
        "monkeypatching the checks",
        {
            "affine_forward": "import twolayer.checks.visible as C, twolayer.checks.compare as K\n"
            "import twolayer.checks.cases as I, twolayer.checks.layers as L\n"
            "from twolayer.checks.findings import Finding\n"
            "K.compare_array = lambda *a, **k: Finding(True, 'ok')\n"
            "I.compare_array = K.compare_array\n"
            "L.check_affine_forward = lambda *a, **k: []\n"
            "C.visible_findings = lambda *a, **k: []\n" + WRONG_AFFINE
        },
        "affine_forward",
        "out is wrong",
    ),
    Hostile(
        "monkeypatching builtins",
        {
            "affine_forward": "import builtins\nbuiltins.abs = lambda v: 0\n"
            "builtins.isinstance = lambda *a: True\n" + WRONG_AFFINE
        },
        "affine_forward",
        "",
    ),
    Hostile(
        "monkeypatching the Solver",
        {
            "solver": "Solver.check_accuracy = lambda self, *a, **k: 1.0\n"
            "model = TwoLayerNet(input_dim=input_dim, num_classes=num_classes)\n"
            "solver = Solver(model, data, num_epochs=0)\nsolver.best_val_acc = 1.0\n"
        },
        "solver",
        "below",
        graded_normally=(),
    ),
    Hostile(
        "reading the reference and hidden checks",
        {
            "affine_forward": """
import glob, os
found = []
for pattern in ("/work/**/two_layer_net.ipynb", "/work/**/autograder/*.py", "/work/**/tests/*.py", "/root/*/*.ipynb",
                "/tmp/**/*.ipynb", "/home/**/*.ipynb"):
    found += glob.glob(pattern, recursive=True)
secret = ""
for path in found:
    try:
        secret += open(path).read()
    except OSError:
        pass

def affine_forward(x, w, b):
    raise RuntimeError("LEAK " + str(len(secret)) + " " + secret[:200])
"""
        },
        "affine_forward",
        "LEAK 0 ",
    ),
    Hostile(
        "writing and deleting outside its folder",
        {
            "affine_forward": """
import os, shutil
for target in ("/work", "/tmp", os.path.expanduser("~"), "/"):
    try:
        with open(os.path.join(target, "PWNED_BY_STUDENT"), "w") as f:
            f.write("x")
    except OSError:
        pass
for victim in ("/work/main/source", "/work/main/autograder"):
    shutil.rmtree(victim, ignore_errors=True)
"""
            + WRONG_AFFINE
        },
        "affine_forward",
        "out is wrong",
    ),
    Hostile(
        "huge output",
        {"affine_forward": "def affine_forward(x, w, b):\n    while True:\n        print('x' * 10**6)\n"},
        "affine_forward",
        "too much output",
    ),
    Hostile(
        "writing into the protocol pipes",
        {
            "affine_forward": """
import os
def affine_forward(x, w, b):
    for fd in range(3, 12):
        try:
            os.write(fd, b"\\x10\\x00\\x00\\x00\\x00\\x00\\x00\\x00" + b"\\x00" * 8 + b'{"ok": true}')
        except OSError:
            pass
    return np.zeros((x.shape[0], w.shape[1])), None
"""
        },
        "affine_forward",
        "",
    ),
]
# Whatever affine_forward does to its worker, affine_backward keeps its points: its checks take
# the starter's cache when the forward pass fails, on a fresh worker. Not after the pipes were
# written into: that worker's answers are not trusted from the start.
for _hostile in HOSTILE:
    if _hostile.item == "affine_forward" and _hostile.name != "writing into the protocol pipes":
        _hostile.graded_normally = (*_hostile.graded_normally, "affine_backward")


def near_threshold_search() -> dict[str, str]:
    """The solution whose search trains one configuration, for fewer epochs: on digits it lands near
    the threshold of 0.94 (0.936-0.948 over grading seeds 1-2 at 24-28 epochs; 0.944 with seed 1),
    where only a seeded regrade is fair. Its network is correct: a broken one (the ReLU left out, as
    public solutions have it) would train through the grader's correct version (the stand-ins)."""
    answer = ANSWERS["hyperparameter_search"]
    grid = """    grid = [dict(learning_rate=learning_rate, reg=reg, hidden_dim=100, num_epochs=30)
            for learning_rate in (1.0, 2.0) for reg in (1e-4, 1e-3)]"""
    if grid not in answer:
        raise ValueError("the reference hyperparameter_search cell changed: update near_threshold_search()")
    return {
        "hyperparameter_search": answer.replace(
            grid, "    grid = [dict(learning_rate=1.0, reg=1e-4, hidden_dim=100, num_epochs=28)]"
        )
    }
