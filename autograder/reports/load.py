"""The results of a grading run, read back as typed results: from the JSON report
(``grade --format json``) or from the journal (``autograder-journal.jsonl``), whichever the file is."""

from __future__ import annotations

import json
from pathlib import Path

from autograder.grading.results import SubmissionResult

from .json_report import read_journal


class NotResults(ValueError):
    """The file is neither a grading run's JSON report nor its journal."""


def load_results(path: Path) -> list[SubmissionResult]:
    """Every submission's result, one per notebook, in the order of their paths (the JSON report's
    order). From a journal, the last line of each notebook wins: a notebook graded again (changed,
    or with other options) counts once, as graded last."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")  # FileNotFoundError: the command line says so
    if not text.strip():
        return []  # an empty journal: grading stopped before the first notebook
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        document = None  # a journal has one JSON document per line
    if isinstance(document, dict) and "submissions" in document:
        try:
            return [SubmissionResult.from_dict(d) for d in document["submissions"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise NotResults(f"{path}: a JSON report, but not of this grader ({type(exc).__name__}: {exc})") from None
    kept = read_journal(path)
    if not kept:
        raise NotResults(
            f"{path} is neither the JSON report of `python -m autograder grade --format json` nor its "
            "journal (autograder-journal.jsonl)"
        )
    by_notebook = {notebook: result for (notebook, _), result in kept.items()}  # the last line wins
    return [by_notebook[notebook] for notebook in sorted(by_notebook)]  # as `grade` orders them: by path
