"""The plots: SVG documents inside data URIs, the same for the same numbers."""

from __future__ import annotations

import base64
import re

from autograder.reports import plots


def svg(uri: str) -> str:
    prefix = "data:image/svg+xml;base64,"
    assert uri.startswith(prefix)
    return base64.b64decode(uri[len(prefix) :]).decode()


def test_a_histogram_with_its_threshold_is_an_svg_with_its_labels():
    uri = plots.histogram([0.91, 0.95, 0.95, 0.97], xlabel="validation accuracy", low=0.8, high=1, threshold=0.94)
    drawn = svg(uri)
    assert "<svg" in drawn and "validation accuracy" in drawn and "threshold 0.94" in drawn
    assert not re.search(r"""href=["'](?!#)""", drawn)  # no link to anything outside the image
    assert plots.histogram([0.91, 0.95], xlabel="x", low=0, high=1) == plots.histogram(
        [0.91, 0.95], xlabel="x", low=0, high=1
    )


def test_shares_and_an_empty_histogram_still_draw():
    assert "affine_forward" in svg(plots.shares(["affine_forward", "relu_forward"], [0.75, 1.0], xlabel="share"))
    assert "<svg" in svg(plots.histogram([], xlabel="seconds", low=0, high=10))
