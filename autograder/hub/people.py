"""Who uses the hub: ``hub/people.toml`` names the instructors and TAs and the roster file.

    instructors = ["instructor"]
    tas = ["ta1"]
    roster = "roster.csv"     # nbgrader's columns id,first_name,last_name,email (relative to this file)

Each name is a JupyterHub user and an nbgrader student or grader id; its Unix user is
``tln-<name>`` (`users`). Names are checked once here: lower-case letters, digits, ``-`` and
``_``, starting with a letter, so that they are valid Unix names after the prefix and contain
none of the characters nbgrader's exchange uses as separators (``+``, ``*``).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from .layout import PREFIX

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

NAME = re.compile(r"^[a-z][a-z0-9_-]{0,23}$")
ROLES = ("instructor", "ta", "student")


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise ValueError(
            f"{name!r} cannot be a hub user: use lower-case letters, digits, '-' and '_', starting with a letter "
            "(at most 24 characters)"
        )
    return name


def unix_name(name: str) -> str:
    """The Unix user of hub user ``name``."""
    return PREFIX + check_name(name)


@dataclass(frozen=True)
class Person:
    name: str
    role: str  # one of ROLES
    first_name: str = ""
    last_name: str = ""
    email: str = ""

    @property
    def staff(self) -> bool:
        return self.role != "student"

    @property
    def unix(self) -> str:
        return unix_name(self.name)


@dataclass(frozen=True)
class People:
    people: tuple[Person, ...] = field(default_factory=tuple)

    @classmethod
    def read(cls, path: Path) -> People:
        path = Path(path)
        with open(path, "rb") as f:
            table = tomllib.load(f)
        unknown = set(table) - {"instructors", "tas", "roster"}
        if unknown:
            raise ValueError(f"unknown setting(s) in {path}: {', '.join(sorted(unknown))}")
        people = [Person(check_name(n), "instructor") for n in table.get("instructors", [])]
        people += [Person(check_name(n), "ta") for n in table.get("tas", [])]
        if table.get("roster"):
            people += read_roster(path.parent / table["roster"])
        names = [p.name for p in people]
        doubled = sorted({n for n in names if names.count(n) > 1})
        if doubled:
            raise ValueError(f"{path}: each name once, not {', '.join(doubled)} twice")
        if not any(p.role == "instructor" for p in people):
            raise ValueError(f"{path}: name at least one instructor")
        return cls(tuple(people))

    def __iter__(self):
        return iter(self.people)

    def get(self, name: str) -> Person | None:
        return next((p for p in self.people if p.name == name), None)

    def of_role(self, *roles: str) -> list[Person]:
        return [p for p in self.people if p.role in roles]

    @property
    def students(self) -> list[Person]:
        return self.of_role("student")

    @property
    def staff(self) -> list[Person]:
        return self.of_role("instructor", "ta")


def read_roster(path: Path) -> list[Person]:
    """The students of a roster CSV (nbgrader's `db student import` columns; ``id`` required)."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if rows and "id" not in rows[0]:
        raise ValueError(f"{path}: the roster needs an 'id' column (nbgrader's columns: id,first_name,last_name,email)")
    return [
        Person(
            check_name(r["id"].strip()), "student", r.get("first_name", ""), r.get("last_name", ""), r.get("email", "")
        )
        for r in rows
    ]
