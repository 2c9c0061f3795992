"""Plots of the two_layer_net exercise: training curves, first-layer weights, tuning heatmap.

Each function draws a new matplotlib figure and returns it without calling plt.show().
In a notebook the figure is shown at the end of the cell; write ``fig = plot_...(...)``
(or end the line with ``;``) so that it is not shown twice. In a script call
``plt.show()`` or ``fig.savefig(...)``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from .tuning import _fmt

__all__ = ["plot_training", "plot_tuning_heatmap", "show_first_layer_weights", "visualize_grid"]


def _moving_average(values: np.ndarray, window: int) -> np.ndarray:
    kernel = np.ones(window) / window
    return np.convolve(values, kernel, mode="valid")


def plot_training(solver: Any) -> Figure:
    """
    Plot the training of a Solver: the loss of every iteration, and the train and
    validation accuracy at every epoch.

    Inputs:
    - solver: A trained Solver (anything with loss_history, train_acc_history and
      val_acc_history lists)

    Returns:
    - fig: A matplotlib Figure with two panels: the training loss per iteration
      (light points and their moving average) and the accuracies per epoch (the best
      validation accuracy marked).
    """
    loss = np.asarray(getattr(solver, "loss_history", []), dtype=np.float64)
    train_acc = np.asarray(getattr(solver, "train_acc_history", []), dtype=np.float64)
    val_acc = np.asarray(getattr(solver, "val_acc_history", []), dtype=np.float64)

    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(12, 4.5))

    iterations = np.arange(1, loss.size + 1)
    ax_loss.plot(iterations, loss, "o", ms=2, alpha=0.3, color="C0", label="minibatch loss")
    if loss.size >= 2:
        window = max(1, min(loss.size // 10, 50))
        if window > 1:
            avg = _moving_average(loss, window)
            ax_loss.plot(
                iterations[window - 1 :], avg, "-", lw=2, color="C1", label=f"moving average ({window} iterations)"
            )
    ax_loss.set_title("Training loss")
    ax_loss.set_xlabel("Iteration")
    ax_loss.set_ylabel("Loss")
    if loss.size:
        ax_loss.legend(loc="upper right")
    ax_loss.grid(True, alpha=0.3)

    epochs = np.arange(val_acc.size)
    if train_acc.size:
        ax_acc.plot(np.arange(train_acc.size), train_acc, "-o", ms=4, label="train")
    if val_acc.size:
        ax_acc.plot(epochs, val_acc, "-o", ms=4, label="val")
        best = int(np.nanargmax(val_acc)) if np.isfinite(val_acc).any() else None
        if best is not None:
            ax_acc.plot(
                [best], [val_acc[best]], "*", ms=16, color="C3", label=f"best val {val_acc[best]:.3f} (epoch {best})"
            )
    ax_acc.set_title("Classification accuracy")
    ax_acc.set_xlabel("Epoch")
    ax_acc.set_ylabel("Accuracy")
    if train_acc.size or val_acc.size:
        ax_acc.legend(loc="lower right")
    ax_acc.grid(True, alpha=0.3)
    fig.tight_layout()
    return fig


def visualize_grid(Xs: np.ndarray, ubound: float = 255.0, padding: int = 1) -> np.ndarray:
    """
    Reshape a 4D tensor of image data to a grid for easy visualization.

    Inputs:
    - Xs: Data of shape (N, H, W, C)
    - ubound: Output grid will have values scaled to the range [0, ubound]
    - padding: The number of blank pixels between elements of the grid

    Returns:
    - grid: An array of shape (G*H + (G-1)*padding, G*W + (G-1)*padding, C) with
      G = ceil(sqrt(N)), each image min-max normalised to [0, ubound] (a constant
      image becomes ubound / 2) and the padding and empty tiles 0.
    """
    Xs = np.asarray(Xs, dtype=np.float64)
    if Xs.ndim != 4:
        raise ValueError(f"Xs must have shape (N, H, W, C), got {Xs.shape}")
    (N, H, W, C) = Xs.shape
    grid_size = max(math.ceil(math.sqrt(N)), 1)
    grid_height = H * grid_size + padding * (grid_size - 1)
    grid_width = W * grid_size + padding * (grid_size - 1)
    grid = np.zeros((grid_height, grid_width, C))
    for next_idx in range(N):
        y, x = divmod(next_idx, grid_size)
        y0, x0 = y * (H + padding), x * (W + padding)
        img = Xs[next_idx]
        low, high = np.min(img), np.max(img)
        if high > low:
            grid[y0 : y0 + H, x0 : x0 + W] = ubound * (img - low) / (high - low)
        else:
            grid[y0 : y0 + H, x0 : x0 + W] = ubound / 2
    return grid


def show_first_layer_weights(W1: np.ndarray, image_shape: Sequence[int], padding: int = 1) -> Figure:
    """
    Show the first-layer weights of a network as images, one tile per hidden unit.

    Inputs:
    - W1: First-layer weights of shape (D, H), with D = prod(image_shape)
    - image_shape: The shape (C, height, width) of one input image, channel-major:
      (3, 32, 32) for CIFAR-10 (shown as RGB) or (1, 8, 8) for digits (grayscale)
    - padding: The number of blank pixels between tiles

    Returns:
    - fig: A matplotlib Figure with a grid of H tiles, each min-max normalised.
    """
    W1 = np.asarray(W1, dtype=np.float64)
    image_shape = tuple(int(s) for s in image_shape)
    if len(image_shape) != 3 or image_shape[0] not in (1, 3):
        raise ValueError(f"image_shape must be (C, height, width) with C = 1 or 3 (channel-major), got {image_shape}")
    if W1.ndim != 2 or W1.shape[0] != math.prod(image_shape):
        raise ValueError(
            f"W1 must have shape (D, H) with D = prod({image_shape}) = {math.prod(image_shape)}, got {W1.shape}"
        )
    C, height, width = image_shape
    H = W1.shape[1]
    tiles = W1.T.reshape(H, C, height, width).transpose(0, 2, 3, 1)
    grid = visualize_grid(tiles, ubound=1.0, padding=padding)

    side = min(max(3.0, 0.02 * max(grid.shape[:2])), 9.0)  # about 50 grid pixels per inch
    fig, ax = plt.subplots(figsize=(side, side))
    if C == 3:
        ax.imshow(grid, interpolation="nearest")
    else:
        ax.imshow(grid[:, :, 0], cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.set_axis_off()
    ax.set_title(f"First-layer weights ({H} hidden units)")
    fig.tight_layout()
    return fig


def plot_tuning_heatmap(
    results: Any,
    *,
    x: str = "learning_rate",
    y: str = "reg",
    value: str = "val_acc",
) -> Figure:
    """
    Heatmap of the results of a hyperparameter search: the best value (validation
    accuracy) for each pair of x and y values, the max over the other hyperparameters.

    Inputs:
    - results: A SearchLog (its .results is used) or a list of dicts, each with the
      keys x, y and value
    - x: The hyperparameter on the horizontal axis (default "learning_rate")
    - y: The hyperparameter on the vertical axis (default "reg")
    - value: The quantity shown (default "val_acc")

    Returns:
    - fig: A matplotlib Figure; the columns and rows are the sorted distinct x and y
      values (equally spaced, so log-spaced grids are shown on a log scale), each cell
      annotated with its value; pairs never tried are left blank.
    """
    rows: Iterable[Mapping[str, Any]] = getattr(results, "results", results)
    rows = list(rows)
    if not rows:
        raise ValueError("no results to plot: record some configurations first")
    for i, row in enumerate(rows):
        missing = [k for k in (x, y, value) if k not in row or row[k] is None]
        if missing:
            raise ValueError(f"result {i} has no {', '.join(repr(k) for k in missing)}: {row}")

    xs = sorted({row[x] for row in rows})
    ys = sorted({row[y] for row in rows})
    grid = np.full((len(ys), len(xs)), np.nan)
    for row in rows:
        i, j = ys.index(row[y]), xs.index(row[x])
        v = float(row[value])
        if np.isnan(grid[i, j]) or v > grid[i, j]:
            grid[i, j] = v

    fig, ax = plt.subplots(figsize=(max(4.0, 1.1 * len(xs) + 2.5), max(3.0, 0.7 * len(ys) + 1.8)))
    cmap = plt.get_cmap("viridis").with_extremes(bad="white")
    masked = np.ma.masked_invalid(grid)
    finite = grid[np.isfinite(grid)]
    vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if vmin == vmax:
        vmin, vmax = vmin - 0.5e-2, vmax + 0.5e-2
    image = ax.imshow(masked, cmap=cmap, vmin=vmin, vmax=vmax, origin="lower", aspect="auto")
    for i in range(len(ys)):
        for j in range(len(xs)):
            v = grid[i, j]
            if np.isfinite(v):
                light = (v - vmin) / (vmax - vmin) > 0.6
                ax.text(j, i, f"{v:.3f}", ha="center", va="center", fontsize=9, color="black" if light else "white")
    ax.set_xticks(range(len(xs)), [_fmt(v) for v in xs])
    ax.set_yticks(range(len(ys)), [_fmt(v) for v in ys])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(f"{value} (max over the other hyperparameters)")
    fig.colorbar(image, ax=ax, label=value)
    fig.tight_layout()
    return fig
