"""The JSON report and the journal's lines: the typed results as JSON
(:meth:`~autograder.grading.results.SubmissionResult.from_dict` reads them back)."""

from __future__ import annotations

import json
from pathlib import Path

from autograder.grading.results import SubmissionResult


def plain(value: object) -> object:
    """numpy scalars and other stragglers as JSON numbers or strings."""
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def to_json(result: SubmissionResult) -> str:
    """One result as JSON (``SubmissionResult.from_dict`` reads it back)."""
    return json.dumps(result.to_dict(), default=plain)


def journal_line(path: Path, digest: str, result: SubmissionResult) -> str:
    """One line of a grading run's journal: the notebook's path, its digest and its result."""
    return json.dumps({"path": str(path), "digest": digest, "result": json.loads(to_json(result))}) + "\n"


def read_journal(path: Path) -> dict[tuple[str, str], SubmissionResult]:
    """(notebook path, digest) -> result, of every complete line of a journal (a line cut short by a
    crash, or not of this grader, is passed over; of a notebook's lines, the last one wins)."""
    found: dict[tuple[str, str], SubmissionResult] = {}
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return found
    for line in lines:
        try:
            entry = json.loads(line)
            found[(entry["path"], entry["digest"])] = SubmissionResult.from_dict(entry["result"])
        except (ValueError, KeyError, TypeError):
            continue
    return found


def json_report(results: list[SubmissionResult]) -> str:
    return json.dumps({"submissions": [r.to_dict() for r in results]}, indent=2, default=plain)
