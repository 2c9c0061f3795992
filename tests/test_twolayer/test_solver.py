"""Tests of twolayer.solver.Solver with a linear softmax classifier written here (test code)."""

import numpy as np
import pytest

from twolayer import optim
from twolayer.solver import UPDATE_RULES, Solver, SolverError, sgd


class LinearSoftmax:
    """scores = X W + b, softmax loss with L2 regularization."""

    def __init__(self, D=6, C=3, reg=1e-3, seed=0, dtype=np.float64):
        rng = np.random.default_rng(seed)
        self.params = {"W": (1e-2 * rng.standard_normal((D, C))).astype(dtype), "b": np.zeros(C, dtype=dtype)}
        self.reg = reg
        self.loss_dtypes = []

    def loss(self, X, y=None):
        W, b = self.params["W"], self.params["b"]
        scores = X @ W + b
        if y is None:
            return scores
        self.loss_dtypes.append(scores.dtype)
        shifted = scores - scores.max(axis=1, keepdims=True)
        probs = np.exp(shifted)
        probs /= probs.sum(axis=1, keepdims=True)
        N = X.shape[0]
        loss = -np.log(probs[np.arange(N), y]).mean() + 0.5 * self.reg * np.sum(W * W)
        dscores = probs
        dscores[np.arange(N), y] -= 1
        dscores /= N
        return loss, {"W": X.T @ dscores + self.reg * W, "b": dscores.sum(axis=0)}


def make_data(n_train=230, n_val=60, D=6, C=3, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    centers = 3 * rng.standard_normal((C, D))
    y = rng.integers(0, C, n_train + n_val)
    X = (centers[y] + rng.standard_normal((n_train + n_val, D))).astype(dtype)
    return {
        "X_train": X[:n_train],
        "y_train": y[:n_train],
        "X_val": X[n_train:],
        "y_val": y[n_train:],
        "name": "blobs",
        "image_shape": (1, 2, 3),
    }  # extra keys are ignored


def test_train_histories_and_learning():
    np.random.seed(0)
    data = make_data()
    model = LinearSoftmax()
    solver = Solver(model, data, optim_config={"learning_rate": 0.5}, batch_size=50, num_epochs=4, verbose=False)
    solver.train()
    iterations = 4 * max(230 // 50, 1)
    assert len(solver.loss_history) == iterations
    assert len(solver.train_acc_history) == 4 + 1
    assert len(solver.val_acc_history) == 4 + 1
    assert solver.epoch == 4
    assert solver.best_val_acc == max(solver.val_acc_history)
    assert solver.best_val_acc > 0.9
    assert solver.loss_history[-1] < solver.loss_history[0]
    assert all(isinstance(v, float) for v in solver.loss_history)


def test_batch_larger_than_data_gives_one_iteration_per_epoch():
    np.random.seed(0)
    solver = Solver(LinearSoftmax(), make_data(n_train=30), batch_size=100, num_epochs=3, verbose=False)
    solver.train()
    assert len(solver.loss_history) == 3
    # as in the original, the first iteration is also the end of epoch 1: one check each
    assert len(solver.val_acc_history) == 3


def test_lr_decay_per_epoch():
    np.random.seed(0)
    solver = Solver(
        LinearSoftmax(),
        make_data(),
        optim_config={"learning_rate": 0.1},
        lr_decay=0.5,
        batch_size=50,
        num_epochs=3,
        verbose=False,
    )
    solver.train()
    for config in solver.optim_configs.values():
        assert config["learning_rate"] == pytest.approx(0.1 * 0.5**3)
    assert solver.optim_config == {"learning_rate": 0.1}  # the user's dict is not touched


def test_best_params_restored():
    np.random.seed(1)
    model = LinearSoftmax()
    # a big learning rate makes the accuracy go up and down
    solver = Solver(model, make_data(), optim_config={"learning_rate": 5.0}, batch_size=10, num_epochs=6, verbose=False)
    solver.train()
    assert set(model.params) == set(solver.best_params) == {"W", "b"}
    for k in model.params:
        np.testing.assert_array_equal(model.params[k], solver.best_params[k])
    acc = solver.check_accuracy(solver.X_val, solver.y_val)
    assert acc == pytest.approx(solver.best_val_acc)


def test_check_accuracy_full_and_subsampled():
    np.random.seed(0)
    data = make_data()
    solver = Solver(LinearSoftmax(), data, verbose=False)
    full = solver.check_accuracy(data["X_val"], data["y_val"], batch_size=7)
    same = solver.check_accuracy(data["X_val"], data["y_val"], num_samples=1000)
    assert full == same
    sub = solver.check_accuracy(data["X_train"], data["y_train"], num_samples=20)
    assert 0.0 <= sub <= 1.0 and (sub * 20) == pytest.approx(round(sub * 20))


def test_checkpoints_are_npz_without_pickle(tmp_path):
    np.random.seed(0)
    name = tmp_path / "ckpt" / "linear"
    model = LinearSoftmax()
    solver = Solver(
        model,
        make_data(),
        optim_config={"learning_rate": 0.3},
        lr_decay=0.9,
        batch_size=50,
        num_epochs=2,
        checkpoint_name=str(name),
        verbose=False,
    )
    solver.train()
    files = sorted(p.name for p in (tmp_path / "ckpt").iterdir())
    assert files == ["linear_epoch_0.npz", "linear_epoch_1.npz", "linear_epoch_2.npz"]
    with np.load(tmp_path / "ckpt" / "linear_epoch_2.npz", allow_pickle=False) as ck:
        assert ck["params/W"].shape == (6, 3) and ck["params/b"].shape == (3,)
        assert int(ck["epoch"]) == 2
        assert str(ck["update_rule"]) == "sgd"
        assert float(ck["lr_decay"]) == pytest.approx(0.9)
        assert int(ck["batch_size"]) == 50 and int(ck["num_val_samples"]) == -1
        assert float(ck["optim_configs/W/learning_rate"]) == pytest.approx(0.3 * 0.9**2)
        assert ck["loss_history"].shape == (2 * 4,)
        assert list(ck["val_acc_history"]) == solver.val_acc_history
        assert ck["train_acc_history"].shape == (3,)


def test_float32_data_casts_params():
    np.random.seed(0)
    model = LinearSoftmax()
    params = model.params
    solver = Solver(model, make_data(dtype=np.float32), batch_size=50, num_epochs=1, verbose=False)
    assert model.params is params  # same dict, entries cast
    assert all(v.dtype == np.float32 for v in model.params.values())
    solver.train()
    assert all(v.dtype == np.float32 for v in model.params.values())
    assert set(model.loss_dtypes) == {np.dtype(np.float32)}


def test_float64_data_leaves_params():
    model = LinearSoftmax(dtype=np.float32)
    Solver(model, make_data(), verbose=False)
    assert all(v.dtype == np.float32 for v in model.params.values())


def test_unknown_kwarg_and_rule():
    with pytest.raises(ValueError, match="learning_rat"):
        Solver(LinearSoftmax(), make_data(), learning_rat=1e-3)
    with pytest.raises(ValueError, match="adam"):
        Solver(LinearSoftmax(), make_data(), update_rule="adam")
    with pytest.raises(ValueError, match="X_val"):
        Solver(LinearSoftmax(), {"X_train": np.zeros((2, 6)), "y_train": np.zeros(2, int)})


class NanModel(LinearSoftmax):
    def loss(self, X, y=None):
        out = super().loss(X, y)
        if y is None or len(self.loss_dtypes) < 3:
            return out
        return float("nan"), out[1]


def test_nan_loss_raises_with_hint():
    np.random.seed(0)
    solver = Solver(NanModel(), make_data(), batch_size=50, verbose=False)
    with pytest.raises(SolverError, match=r"loss is nan at iteration 3.*softmax_loss.*learning rate"):
        solver.train()


class ScoresOnly(LinearSoftmax):
    def loss(self, X, y=None):
        return self.params["W"][:1] + X @ self.params["W"]


class MissingGrad(LinearSoftmax):
    def loss(self, X, y=None):
        out = super().loss(X, y)
        if y is None:
            return out
        return out[0], {"W": out[1]["W"]}


class WrongShapeGrad(LinearSoftmax):
    def loss(self, X, y=None):
        out = super().loss(X, y)
        if y is None:
            return out
        return out[0], {"W": out[1]["W"].T, "b": out[1]["b"]}


class TupleScores(LinearSoftmax):
    def loss(self, X, y=None):
        out = super().loss(X, y if y is not None else np.zeros(len(X), int))
        return out


class VectorLoss(LinearSoftmax):
    def loss(self, X, y=None):
        out = super().loss(X, y)
        return out if y is None else (np.full(3, out[0]), out[1])


class GradsList(LinearSoftmax):
    def loss(self, X, y=None):
        out = super().loss(X, y)
        return out if y is None else (out[0], [out[1]["W"]])


class ScalarBias(LinearSoftmax):
    def __init__(self):
        super().__init__()
        self.params["b"] = np.zeros(())

    def loss(self, X, y=None):
        out = super().loss(X, y)
        return out if y is None else (out[0], {"W": out[1]["W"], "b": 0})


class VectorScores(LinearSoftmax):
    def loss(self, X, y=None):
        return super().loss(X, y) if y is not None else super().loss(X)[:, 0]


class NanFirst(LinearSoftmax):
    def loss(self, X, y=None):
        out = super().loss(X, y)
        return out if y is None else (float("nan"), out[1])


@pytest.mark.parametrize(
    "model_cls, pattern",
    [
        (ScoresOnly, r"returned an array of shape \(50, 3\).*tuple \(loss, grads\)"),
        (MissingGrad, r"no gradient for 'b'"),
        (WrongShapeGrad, r"grads\['W'\] has shape \(3, 6\)"),
        (TupleScores, r"without labels"),
        # each message says what the model must return instead
        (VectorLoss, r"a loss of an array of shape \(3,\) at iteration 1: the loss must be a scalar"),
        (GradsList, r"grads of a list of length 1 at iteration 1: grads must be a dict"),
        (ScalarBias, r"grads\['b'\] has shape int.*a bias must be a zero vector, np.zeros\(size\)"),
        (VectorScores, r"scores of shape \(\d+,\): without labels .* must return the scores array of shape \(N, C\)"),
        (NanFirst, r"loss is nan at iteration 1 \(epoch 0\) on the first minibatch.*weight initialization"),
    ],
)
def test_bad_model_raises_solver_error(model_cls, pattern):
    np.random.seed(0)
    solver = Solver(model_cls(), make_data(), batch_size=50, verbose=False)
    with pytest.raises(SolverError, match=pattern):
        solver.train()
    assert issubclass(SolverError, RuntimeError)


def test_verbose_log(capsys):
    np.random.seed(0)
    solver = Solver(
        LinearSoftmax(), make_data(), batch_size=50, num_epochs=2, print_every=3, verbose=True, progress=False
    )
    solver.train()
    out = capsys.readouterr().out
    assert "(Iteration 1 / 8) loss:" in out and "(Iteration 4 / 8) loss:" in out
    assert "(Epoch 2 / 2) train acc:" in out


def test_progress_bar_on_without_log(capsys):
    np.random.seed(0)
    solver = Solver(LinearSoftmax(), make_data(), batch_size=50, num_epochs=2, verbose=False, progress=True)
    solver.train()
    captured = capsys.readouterr()
    assert "Iteration" not in captured.out
    assert "train" in captured.err  # tqdm writes the bar to stderr


def test_update_rules_are_those_of_optim():
    assert sgd is optim.sgd and UPDATE_RULES is optim.UPDATE_RULES and UPDATE_RULES["sgd"] is sgd
    w = np.ones(3)
    next_w, config = sgd(w, np.full(3, 10.0))
    assert next_w is w and config == {"learning_rate": 1e-2}  # in place, default learning rate
    np.testing.assert_array_equal(w, np.full(3, 0.9))
