"""What the hub's processes need in their environment to run the hub's Python as any user.

The hub's venv may be made from a copy of a Python whose own installation other users cannot
reach (tools/hub_python.py: pyenv's, under /root): that interpreter then finds its shared library
through LD_LIBRARY_PATH. Every process the hub starts as a user (their JupyterLab, its kernels,
its terminals) inherits this.
"""

from __future__ import annotations

import sys
import sysconfig
from pathlib import Path


def user_env() -> dict[str, str]:
    lib = Path(sys.base_prefix) / "lib"
    if sysconfig.get_config_var("Py_ENABLE_SHARED") and any(lib.glob("libpython*.so*")):
        return {"LD_LIBRARY_PATH": str(lib)}
    return {}
