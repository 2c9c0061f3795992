"""A JSON Schema of results.json, written from Gradescope's autograder specification
(gradescope/autograder_samples, docs "Autograder Specifications": the results.json format).

Gradescope publishes no schema of its own; this one holds what the specification says each field
is and no more, plus "score or tests must be there" (without either Gradescope has no score).
Unknown fields are refused at the top and in tests, so that a misspelt key ("visiblity") is
caught here instead of being silently ignored by Gradescope.
"""

from __future__ import annotations

from typing import Any

VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}
NUMBER = {"type": "number"}

TEST = {
    "type": "object",
    "properties": {
        "score": NUMBER,
        "max_score": NUMBER,
        "status": {"enum": ["passed", "failed"]},
        "name": {"type": "string"},
        "name_format": FORMAT,
        "number": {"type": "string"},
        "output": {"type": "string"},
        "output_format": FORMAT,
        "tags": {"type": "array", "items": {"type": "string"}},
        "visibility": VISIBILITY,
        "extra_data": {"type": "object"},
    },
    "additionalProperties": False,
}

LEADERBOARD_ENTRY = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "value": {"type": ["number", "string"]},
        "order": {"enum": ["asc", "desc"]},
    },
    "required": ["name", "value"],
    "additionalProperties": False,
}

RESULTS: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Gradescope autograder results.json",
    "type": "object",
    "properties": {
        "score": NUMBER,
        "execution_time": NUMBER,
        "output": {"type": "string"},
        "output_format": FORMAT,
        "test_output_format": FORMAT,
        "test_name_format": FORMAT,
        "visibility": VISIBILITY,
        "stdout_visibility": VISIBILITY,
        "extra_data": {"type": "object"},
        "tests": {"type": "array", "items": TEST},
        "leaderboard": {"type": "array", "items": LEADERBOARD_ENTRY},
    },
    "anyOf": [{"required": ["score"]}, {"required": ["tests"]}],
    "additionalProperties": False,
}


def problems(doc: Any) -> list[str]:
    """What is wrong with ``doc`` as a results.json (empty when it is valid)."""
    import jsonschema  # in the lock (nbformat needs it); imported here, where it is used

    validator = jsonschema.Draft202012Validator(RESULTS)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in validator.iter_errors(doc)]
