"""Random inputs that more than one group of checks draws."""

from __future__ import annotations

import numpy as np

# Numerical gradients step over a kink of ReLU or of the SVM's hinge when an input is within the
# step of it, and are then wrong for correct code. Code that computes in float32 is checked with
# a step of 1e-3 (twolayer.compare.gradient_agrees), which moves a pre-activation by up to
# 1e-3 * |x| (about 4e-3 here): inputs 0.05 or closer to a kink are drawn again. (Without this a
# correct float32 TwoLayerNet failed in 5 of 300 seeds.)
KINK_MARGIN = 0.05


def net_params(rng: np.random.Generator, D: int, H: int, Cn: int) -> dict[str, np.ndarray]:
    return {
        "W1": 0.5 * rng.standard_normal((D, H)),
        "b1": 0.2 * rng.standard_normal(H),
        "W2": 0.5 * rng.standard_normal((H, Cn)),
        "b2": 0.2 * rng.standard_normal(Cn),
    }


def away_from_relu_kinks(
    rng: np.random.Generator, N: int = 4, D: int = 4, H: int = 5, Cn: int = 3
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Parameters and inputs whose hidden pre-activations are all at least KINK_MARGIN from 0,
    some positive and some negative."""
    while True:
        params = net_params(rng, D, H, Cn)
        X, y = rng.standard_normal((N, D)), rng.integers(Cn, size=N)
        pre = X @ params["W1"] + params["b1"]
        if np.abs(pre).min() > KINK_MARGIN and (pre > 0).any() and (pre < 0).any():
            return params, X, y


def away_from_hinge_kinks(rng: np.random.Generator, N: int = 4, Cn: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Scores whose SVM margins (s_j - s_y + 1, j != y) are all at least KINK_MARGIN from 0."""
    while True:
        x, y = rng.standard_normal((N, Cn)), rng.integers(Cn, size=N)
        margins = x - x[np.arange(N), y][:, None] + 1.0
        margins[np.arange(N), y] = 1.0
        if np.abs(margins).min() > KINK_MARGIN:
            return x, y
