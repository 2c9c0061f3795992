"""Tests of twolayer.tuning.SearchLog and twolayer.plots (Agg backend)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from twolayer.plots import (
    plot_training,
    plot_tuning_heatmap,
    show_first_layer_weights,
    visualize_grid,
)
from twolayer.tuning import SearchLog


class FakeModel:
    def __init__(self, seed):
        rng = np.random.default_rng(seed)
        self.params = {"W1": rng.standard_normal((4, 3)), "b1": np.zeros(3)}


class FakeSolver:
    def __init__(self, val_hist, train_hist, n_iter=30):
        self.val_acc_history = list(val_hist)
        self.train_acc_history = list(train_hist)
        self.best_val_acc = max(val_hist)
        self.loss_history = list(np.linspace(2.3, 0.5, n_iter) + 0.1 * np.sin(np.arange(n_iter)))


CONFIGS = [
    {"learning_rate": 1e-3, "reg": 0.25, "hidden_dim": 50, "num_epochs": 5},
    {"learning_rate": 1e-2, "reg": 1e-4, "hidden_dim": 100, "num_epochs": 5},
    {"learning_rate": 5e-4, "reg": 0.0, "hidden_dim": 50, "num_epochs": 5},
]
VALS = [0.512, 0.917, 0.734]  # the 2nd is best, the 3rd does not improve on it


def make_log():
    log = SearchLog()
    models = []
    for i, (config, val) in enumerate(zip(CONFIGS, VALS, strict=True)):
        model = FakeModel(i)
        models.append(model)
        solver = FakeSolver([0.1, val, val - 0.05], [0.2, val + 0.03, val + 0.06])
        log.record(model, solver, **config)
    return log, models


def test_every_config_recorded_with_its_own_accuracy():
    log, models = make_log()
    assert len(log.results) == 3 and len(log) == 3
    assert [r["val_acc"] for r in log.results] == VALS  # order tried, each its own
    # train acc at the check where val was best (the params left in the model)
    assert [r["train_acc"] for r in log.results] == pytest.approx([v + 0.03 for v in VALS])
    assert log.results[0]["learning_rate"] == 1e-3 and log.results[2]["reg"] == 0.0
    assert log.best_model is models[1]
    assert log.best_val_acc == 0.917
    assert log.best_config == CONFIGS[1]


def test_table_rows_show_their_own_accuracy():
    log, _ = make_log()
    lines = log.table().splitlines()
    header, rows = lines[0], lines[2:]
    assert "val_acc" in header and "learning_rate" in header and "train_acc" in header
    assert len(rows) == 3
    # sorted by val acc, best first and marked
    assert "0.9170" in rows[0] and rows[0].lstrip().startswith("*")
    assert "0.7340" in rows[1] and "0.5120" in rows[2]
    assert not rows[1].lstrip().startswith("*") and not rows[2].lstrip().startswith("*")
    # each row shows its own config next to its own accuracy
    assert "0.01" in rows[0] and "1e-4" in rows[0]
    assert "5e-4" in rows[1] and "1e-3" in rows[2] and "0.25" in rows[2]
    # aligned: all lines are as wide as the separator, the val_acc column lines up
    col = header.index("val_acc") + len("val_acc")
    assert all(r[col - 6 : col] in {"0.9170", "0.7340", "0.5120"} for r in rows)
    assert str(log) == log.table()


def test_html_table():
    log, _ = make_log()
    out = log._repr_html_()
    assert out.startswith("<table>") and out.count("<tr") == 4
    assert out.index("0.9170") < out.index("0.7340") < out.index("0.5120")
    assert "SearchLog(3 configurations" in repr(log)


def test_empty_log():
    log = SearchLog()
    assert "no configurations" in log.table()
    assert log.best_model is None
    with pytest.raises(ValueError):
        log.save_best_params("x.npz")


def test_save_best_params_round_trip(tmp_path):
    log, models = make_log()
    path = log.save_best_params(tmp_path / "best_params")
    assert path.name == "best_params.npz"
    with np.load(path, allow_pickle=False) as saved:
        assert set(saved.files) == {"W1", "b1"}
        for k, v in models[1].params.items():
            np.testing.assert_array_equal(saved[k], v)
    assert [p.name for p in tmp_path.iterdir()] == ["best_params.npz"]  # no temp file left


def test_progress_yields_every_config():
    log = SearchLog()
    seen = []
    for config in log.progress(CONFIGS, disable=True):
        seen.append(config)
        log.record(FakeModel(0), FakeSolver([0.5], [0.6]), **config)
    assert seen == CONFIGS and len(log.results) == 3


def test_plot_training_returns_figure():
    fig = plot_training(FakeSolver([0.1, 0.6, 0.8, 0.75], [0.2, 0.7, 0.9, 0.95], n_iter=120))
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert fig.axes[0].get_title() and fig.axes[1].get_xlabel() == "Epoch"
    plt.close(fig)


@pytest.mark.parametrize("image_shape, H", [((3, 32, 32), 50), ((1, 8, 8), 10), ((1, 8, 8), 1)])
def test_first_layer_weights(image_shape, H):
    W1 = np.random.default_rng(0).standard_normal((int(np.prod(image_shape)), H))
    fig = show_first_layer_weights(W1, image_shape)
    assert isinstance(fig, Figure)
    img = fig.axes[0].get_images()[0].get_array()
    g = int(np.ceil(np.sqrt(H)))
    assert img.shape[:2] == (g * image_shape[1] + g - 1, g * image_shape[2] + g - 1)
    plt.close(fig)
    with pytest.raises(ValueError, match="prod"):
        show_first_layer_weights(W1[:-1], image_shape)


def test_visualize_grid():
    Xs = np.arange(5 * 2 * 2 * 3, dtype=float).reshape(5, 2, 2, 3)
    Xs[4] = 7.0  # a constant tile
    grid = visualize_grid(Xs, ubound=255.0, padding=1)
    assert grid.shape == (3 * 2 + 2, 3 * 2 + 2, 3)
    assert grid[:2, :2].min() == 0.0 and grid[:2, :2].max() == 255.0
    assert np.all(grid[2, :] == 0.0)  # padding row
    assert np.all(grid[3:5, 3:5] == 127.5)


def test_tuning_heatmap_with_missing_cell():
    log, _ = make_log()
    # a second hidden_dim at an existing cell: the max is shown
    log.record(FakeModel(9), FakeSolver([0.6], [0.6]), learning_rate=1e-3, reg=0.25, hidden_dim=200)
    fig = plot_tuning_heatmap(log)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    grid = ax.get_images()[0].get_array()
    assert grid.shape == (3, 3)  # 3 regs x 3 learning rates, 6 cells missing
    assert np.ma.count_masked(grid) == 6
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == ["0.600", "0.734", "0.917"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["5e-4", "1e-3", "0.01"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0", "1e-4", "0.25"]
    plt.close(fig)
    fig = plot_tuning_heatmap(log.results, x="hidden_dim", y="learning_rate")
    assert isinstance(fig, Figure)
    plt.close(fig)
