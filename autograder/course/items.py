"""The graded items, as ``[items]`` of ``twolayer/assignment.toml`` declares them once: every list of
items the grader, nbgrader and the tests use is derived from ``ITEMS``.

An item is an answer cell students fill (its grade_id is the item's name) and the test cells
that grade it: ``<item>_check`` (visible checks, the cell students run) and ``<item>_hidden``
(hidden checks). Points are course settings, in ``twolayer/assignment.toml``; the checks of an
item are the tests of ``autograder/suite/`` marked with its name.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from twolayer.config import points, section


class Kind(str, Enum):
    CODE = "code"
    MARKDOWN = "markdown"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Item:
    """One graded item (grade_ids and defined names are a contract with instructors)."""

    name: str  # grade_id of the answer cell
    kind: Kind = Kind.CODE
    defines: str | None = None  # the name the answer cell must define (code cells)
    visible: bool = True  # graded visible checks in a cell `<name>_check`
    model: str | None = None  # the variable holding the trained model (training items)
    threshold: str | None = None  # its validation accuracy threshold in assignment.toml (training items)
    depends: tuple[str, ...] = ()  # items whose code this item's code calls (earlier items)
    options: tuple[int, ...] = ()  # the options an inline question's choices are taken from
    all_or_nothing: bool = False  # a grade cell earns its points only when every check passes

    @property
    def test_cells(self) -> tuple[str, ...]:
        """grade_ids of the autograded test cells, in notebook order."""
        if self.kind is Kind.MARKDOWN:
            return ()
        return (f"{self.name}_check",) * self.visible + (f"{self.name}_hidden",)

    @property
    def needs_model(self) -> bool:
        """Graded from a model trained in the submission (on the dataset), not by calling code."""
        return self.model is not None

    @property
    def by_hand(self) -> bool:
        return self.kind is Kind.MARKDOWN


def _declared() -> tuple[Item, ...]:
    """The items of ``[items]`` in ``twolayer/assignment.toml``, in the order students meet them."""
    return tuple(
        Item(
            name,
            Kind(spec.get("kind", "code")),
            defines=spec.get("defines"),
            visible=spec.get("visible", True),
            model=spec.get("model"),
            threshold=spec.get("threshold"),
            options=tuple(spec.get("options", ())),
            depends=tuple(spec.get("depends", ())),
            all_or_nothing=bool(spec.get("all_or_nothing", False)),
        )
        for name, spec in section("items").items()
    )


def _checked(items: tuple[Item, ...]) -> tuple[Item, ...]:
    """``items``, if each depends only on items before it (their checks run first: an item is
    checked with stand-ins for those that failed theirs)."""
    seen: set[str] = set()
    for item in items:
        later = [d for d in item.depends if d not in seen]
        if later:
            raise ValueError(f"[items] {item.name} depends on {', '.join(later)}, which must come before it")
        seen.add(item.name)
    return items


ITEMS: tuple[Item, ...] = _checked(_declared())
ITEMS_BY_NAME = {item.name: item for item in ITEMS}
#: inline question's choices -> the options it offers
CHOICE_OPTIONS = {item.name: item.options for item in ITEMS if item.options}
MANUAL_ITEMS = tuple(item.name for item in ITEMS if item.by_hand)
TRAINING_ITEMS = tuple(item.name for item in ITEMS if item.needs_model)
# Graded by calling the submission's code: one worker without the dataset grades them all.
CODE_ITEMS = tuple(item.name for item in ITEMS if item.kind is Kind.CODE and not item.needs_model)


def item_points(item: str) -> float:
    """Points of one item: its test cells, or the item itself when it is graded by hand."""
    pts = points()
    if item in MANUAL_ITEMS:
        return pts[item]
    return sum(pts[cell] for cell in ITEMS_BY_NAME[item].test_cells)


def replaces_failed_dependencies() -> bool:
    """``[grading] replace_failed_dependencies``: whether an item is checked with the grader's correct
    versions of the items it calls that fail their own checks (default true)."""
    return bool(section("grading").get("replace_failed_dependencies", True))


def with_dependencies(items: tuple[str, ...]) -> tuple[str, ...]:
    """``items`` and every item they call, directly or not, in the order of ``ITEMS``."""
    wanted, todo = set(), list(items)
    while todo:
        name = todo.pop()
        if name not in wanted:
            wanted.add(name)
            todo += ITEMS_BY_NAME[name].depends
    return tuple(item.name for item in ITEMS if item.name in wanted)


def replaced_dependencies(item: str, failed: set[str]) -> tuple[str, ...]:
    """The items to check ``item`` with correct versions of, in place of the student's: those it
    calls that ``failed`` their own checks, and, through those it calls that did not, theirs."""
    found: list[str] = []
    for dep in ITEMS_BY_NAME[item].depends:
        for name in (dep,) if dep in failed else replaced_dependencies(dep, failed):
            if name not in found:
                found.append(name)
    return tuple(found)


def saved_as(filename: str) -> str:
    """The training item whose model the notebook saves as ``filename`` (``<model variable>.npz``)."""
    return next(item.name for item in ITEMS if item.model and f"{item.model}.npz" == filename)
