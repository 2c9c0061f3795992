"""The kernel specification ``two_layer_net_sandbox``: Jupyter starts the launcher
(``python -I -m autograder.nbgrader.kernel -f {connection_file}``) for it. ``nbgrader_config.py`` writes it
(:func:`ensure_kernelspec`) and selects it where the sandbox works."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from autograder.course.names import KERNEL

KERNEL_NAME = KERNEL
DISPLAY_NAME = "Python 3 (two_layer_net sandbox)"
LAUNCHER_MODULE = "autograder.nbgrader.kernel"


def kernelspec() -> dict[str, Any]:
    return {
        # -I: the launcher runs unconfined in the submission folder: never import from there.
        "argv": [sys.executable, "-I", "-m", LAUNCHER_MODULE, "-f", "{connection_file}"],
        "display_name": DISPLAY_NAME,
        "language": "python",
        "interrupt_mode": "signal",
        "metadata": {"debugger": False, "sandbox": "bubblewrap (autograder/nbgrader/kernel/)"},
    }


def ensure_kernelspec() -> Path:
    """Write ``<sys.prefix>/share/jupyter/kernels/two_layer_net_sandbox/kernel.json`` (unless it
    already says the same), where Jupyter finds the environment's kernels; the user's Jupyter
    data folder if the environment is not writable. Returns the file."""
    text = json.dumps(kernelspec(), indent=1) + "\n"
    from jupyter_core.paths import jupyter_data_dir

    last_error: OSError | None = None
    for base in (Path(sys.prefix) / "share" / "jupyter", Path(jupyter_data_dir())):
        path = base / "kernels" / KERNEL_NAME / "kernel.json"
        try:
            if path.exists() and path.read_text() == text:
                return path
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".kernel.json.{os.getpid()}")
            tmp.write_text(text)
            os.replace(tmp, path)
            return path
        except OSError as exc:
            last_error = exc
    raise OSError(f"cannot write the {KERNEL_NAME} kernel specification: {last_error}")
