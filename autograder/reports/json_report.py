"""The JSON report and the journal's lines: the typed results as JSON
(:meth:`~autograder.grading.results.SubmissionResult.from_dict` reads them back)."""

from __future__ import annotations

import json

from autograder.grading.results import SubmissionResult


def plain(value: object) -> object:
    """numpy scalars and other stragglers as JSON numbers or strings."""
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def to_json(result: SubmissionResult) -> str:
    """One result as JSON (``SubmissionResult.from_dict`` reads it back)."""
    return json.dumps(result.to_dict(), default=plain)


def json_report(results: list[SubmissionResult]) -> str:
    return json.dumps({"submissions": [r.to_dict() for r in results]}, indent=2, default=plain)
