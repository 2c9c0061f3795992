"""The interpreter `make hub-setup` makes the hub's venv from: a Python every hub user can run.

    python3 tools/hub_python.py PYTHON DEST      # prints the interpreter to make the venv with

The hub runs each user's JupyterLab (and its kernels) as their own Unix user, so the hub's venv
must come from a Python whose files every user can reach. That is PYTHON itself when the folders
above its installation can be entered by others. Otherwise (pyenv keeps its Pythons under /root,
mode 0700, as on the course's machines) DEST receives a copy of its interpreter, its shared
library and its standard library (not its own site-packages, nor its test suite), and the copy
is used; as pyenv's interpreter finds its shared library through a RUNPATH under /root, the hub
gives its processes LD_LIBRARY_PATH=DEST/lib (autograder/hub/runtime.py). Debian's own python3
would need no copy, but requirements.lock does not install on Debian 12's 3.11.2 (soupsieve
4.1.3 needs 3.11.5). Idempotent: an existing copy of the same version is kept.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

SKIP = {"site-packages", "test", "__pycache__", "idlelib", "turtledemo", "tkinter", "lib2to3"}


def describe(python: str) -> dict:
    code = "import json, sys; print(json.dumps({'base': sys.base_prefix, 'version': '%d.%d' % sys.version_info[:2]}))"
    return json.loads(subprocess.run([python, "-c", code], check=True, capture_output=True, text=True).stdout)


def reachable(path: Path) -> bool:
    return all(os.stat(p).st_mode & 0o001 for p in [*Path(path).resolve().parents, Path(path).resolve()])


def copy(base: Path, version: str, dest: Path) -> Path:
    python = dest / "bin" / f"python{version}"
    stamp = dest / ".version"
    if python.exists() and stamp.exists() and stamp.read_text() == version:
        return python
    shutil.rmtree(dest, ignore_errors=True)
    (dest / "bin").mkdir(parents=True)
    shutil.copy2(base / "bin" / f"python{version}", python)
    for link in ("python3", "python"):
        (dest / "bin" / link).symlink_to(python.name)
    (dest / "lib").mkdir()
    for lib in (base / "lib").glob("libpython*.so*"):
        shutil.copy2(lib, dest / "lib" / lib.name, follow_symlinks=False)
    shutil.copytree(
        base / "lib" / f"python{version}",
        dest / "lib" / f"python{version}",
        ignore=lambda folder, names: [n for n in names if n in SKIP],
        symlinks=True,
    )
    (dest / "lib" / f"python{version}" / "site-packages").mkdir()
    for path in [dest, *dest.rglob("*")]:
        if not path.is_symlink():
            os.chmod(path, (path.stat().st_mode | 0o444 | (0o111 if path.is_dir() else 0)) & 0o7777)
    stamp.write_text(version)
    return python


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    info = describe(argv[0])
    base = Path(info["base"])
    if reachable(base):
        print(argv[0])
        return 0
    print(copy(base, info["version"], Path(argv[1]).resolve()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
