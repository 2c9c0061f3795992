"""The hub's tests: unit tests of the service's parts (any run), and the tests marked ``hub`` that
run against a real hub (`make test-hub`; tests/hubtest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def hub(request: pytest.FixtureRequest):
    from hubtest import shared_hub

    return shared_hub(request)


@pytest.fixture(scope="session")
def notebooks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The solution, a partial one (affine_forward without its reshape) and invalid JSON."""
    import corpus

    folder = tmp_path_factory.mktemp("notebooks")
    made = {
        "solution": corpus.write_submission(folder / "solution" / "two_layer_net.ipynb"),
        "partial": corpus.write_submission(folder / "partial" / "two_layer_net.ipynb", corpus.MISTAKES[0].answers),
    }
    invalid = folder / "invalid" / "two_layer_net.ipynb"
    invalid.parent.mkdir()
    invalid.write_text('{"cells": [ this is not JSON')
    return {**made, "invalid": invalid}
