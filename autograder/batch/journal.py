"""The journal of a class's grading: every result written the moment it arrives, so that an
interrupted run (Ctrl-C, SIGTERM, a reboot) loses nothing, and ``--resume`` grades only the rest.

One JSON line per graded notebook, flushed and synced to disk: the notebook's path, a digest of
its bytes and of the grading options that change a grade, and its result. A line cut short by a
crash is ignored; a notebook changed since, or graded with other options, is graded again.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from autograder.grading.options import Options
from autograder.grading.results import SubmissionResult
from autograder.reports.json_report import journal_line, read_journal

DEFAULT = Path("autograder-journal.jsonl")


def digest(path: Path, options: Options) -> str:
    """What a kept result must match: the notebook's bytes and the options that change its grade."""
    h = hashlib.sha256()
    try:
        h.update(path.read_bytes())
    except OSError as exc:  # unreadable: graded again next time, and reported as ungraded then
        h.update(repr(exc).encode())
    h.update(
        json.dumps([options.dataset, options.items, options.seed, options.item_timeout, options.cell_timeout]).encode()
    )
    return h.hexdigest()


@dataclass
class Journal:
    path: Path

    def kept(self) -> dict[tuple[str, str], SubmissionResult]:
        """(notebook path, digest) -> result, of every complete line."""
        return read_journal(self.path)

    def open(self, *, keep: bool) -> IO[str]:
        """The journal, to append to (``keep``: after the lines already there)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return open(self.path, "a" if keep else "w", encoding="utf-8")

    @staticmethod
    def record(stream: IO[str], path: Path, digest: str, result: SubmissionResult) -> None:
        stream.write(journal_line(path, digest, result))
        stream.flush()
        os.fsync(stream.fileno())
