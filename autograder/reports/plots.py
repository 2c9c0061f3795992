"""The class report's plots, drawn with matplotlib as SVG and embedded in the page as data URIs
(each image its own document: no ids shared between plots, nothing to fetch).

Figures are made with ``matplotlib.figure.Figure``, not pyplot: no global state, no backend to
choose, safe in any process.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import matplotlib
import numpy as np
from matplotlib.figure import Figure

BAR = "#4c72b0"
LINE = "#c44e52"
STYLE = {"svg.fonttype": "none", "svg.hashsalt": "class-report", "font.size": 10}


def _uri(fig: Figure) -> str:
    buf = io.BytesIO()
    with matplotlib.rc_context(STYLE):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _figure() -> tuple[Figure, object]:
    fig = Figure(figsize=(6.4, 2.8))
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_ylabel("students")
    ax.yaxis.get_major_locator().set_params(integer=True)
    return fig, ax


def histogram(
    values: Sequence[float],
    *,
    xlabel: str,
    low: float,
    high: float,
    bins: int = 20,
    threshold: float | None = None,
) -> str:
    """A histogram of ``values`` over [low, high] (a data URI), with a line at ``threshold``."""
    fig, ax = _figure()
    high = max(high, max(values, default=high), low + 1e-9)
    low = min(low, min(values, default=low))
    ax.hist(np.asarray(values, dtype=float), bins=np.linspace(low, high, bins + 1), color=BAR, edgecolor="white")
    if threshold is not None:
        ax.axvline(threshold, color=LINE, linestyle="--", linewidth=1.5)
        ax.annotate(
            f"threshold {threshold:g}",
            (threshold, 1),
            xycoords=("data", "axes fraction"),
            xytext=(-4, -2),
            textcoords="offset points",
            ha="right",
            va="top",
            color=LINE,
        )
    ax.set_xlabel(xlabel)
    ax.set_xlim(low, high)
    return _uri(fig)


def shares(labels: Sequence[str], values: Sequence[float], *, xlabel: str) -> str:
    """Horizontal bars of shares (0 to 1), one per label, the first on top (a data URI)."""
    fig = Figure(figsize=(6.4, 0.32 * len(labels) + 0.8))
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    ys = np.arange(len(labels))
    ax.barh(ys, values, color=BAR)
    ax.set_yticks(ys, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel(xlabel)
    return _uri(fig)
