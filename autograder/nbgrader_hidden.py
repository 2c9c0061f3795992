"""What the hidden test cells of the nbgrader notebook call.

``check_hidden("affine_forward")`` grades that item in a *fresh* grader process, on the
notebook file being autograded, exactly as ``python -m autograder grade`` does: student
code runs in the sandboxed worker, the reference and comparisons in that fresh process.
Nothing of the reference enters the student's kernel, and what the student's code did to
this kernel (monkeypatching numpy, the checks, builtins) cannot reach the verdict.
For the training items the kernel hands over the trained parameters only (``.npz``).
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

NOTEBOOK = "two_layer_net.ipynb"
TIMEOUT = float(os.environ.get("TWO_LAYER_NET_CHECK_TIMEOUT", "300"))


class HiddenChecksFailed(AssertionError):
    def _render_traceback_(self) -> list[str]:
        return [str(self)]


def check_hidden(item: str, **objects: Any) -> None:
    notebook = Path.cwd() / NOTEBOOK
    cmd = [sys.executable, "-I", "-m", "autograder", "check", str(notebook), "--item", item]
    tmp = None
    try:
        for model in objects.values():
            params = getattr(model, "params", None)
            if not isinstance(params, dict):
                raise HiddenChecksFailed(f"{item}: the model is not trained (it is {type(model).__name__})")
            fd, tmp = tempfile.mkstemp(suffix=".npz")
            with os.fdopen(fd, "wb") as f:
                np.savez(f, **{str(k): np.asarray(v) for k, v in params.items()})
            cmd += ["--params", tmp]
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        with tempfile.TemporaryDirectory(prefix="tln-check-") as cwd:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, env=env, cwd=cwd)
    finally:
        if tmp:
            os.unlink(tmp)
    print(proc.stdout.strip())
    if proc.returncode != 0:
        raise HiddenChecksFailed(proc.stdout.strip().splitlines()[-1] if proc.stdout.strip()
                                 else f"{item}: the hidden checks could not run: {proc.stderr.strip()[-500:]}")
