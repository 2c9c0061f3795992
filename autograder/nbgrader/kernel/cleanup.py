"""What the sandboxed kernel may leave behind, removed: links and special files in the submission
folder (nbgrader, which runs unconfined, writes the graded notebook there: it must not write
through a symlink), and what launchers killed with SIGKILL could not remove themselves."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path

from autograder.sandbox.reaper import reap

PRIVATE_PREFIX = "tln-kernel-"  # a launcher's private folder: tln-kernel-<its pid>-...


def sanitize_folder(folder: Path) -> list[str]:
    """Remove symlinks and special files (fifos, sockets, devices) under ``folder``: what the
    sandboxed kernel could leave for the unconfined nbgrader to write or read through."""
    removed = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            try:
                mode = os.lstat(path).st_mode
            except OSError:
                continue
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                try:
                    os.unlink(path)
                    removed.append(os.path.relpath(path, folder))
                except OSError:
                    pass
    return removed


def remove_stale() -> None:
    """Remove what launchers killed with SIGKILL could not: their private folders, and what is left
    of the sandboxes of gradings that are gone (``sandbox.reaper``)."""
    reap()
    for base in {tempfile.gettempdir(), "/tmp", "/var/tmp"}:
        for d in Path(base).glob(f"{PRIVATE_PREFIX}*-*"):
            try:
                alive = Path(f"/proc/{int(d.name.split('-')[2])}").exists()
            except (ValueError, IndexError):
                continue
            if not alive and d.is_dir() and not d.is_symlink() and d.stat().st_uid == os.geteuid():
                shutil.rmtree(d, ignore_errors=True)
