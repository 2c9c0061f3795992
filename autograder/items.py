"""The graded items, declared once: every list of items the grader, nbgrader and the tests use
is derived from ``ITEMS``.

An item is an answer cell students fill (its grade_id is the item's name) and the test cells
that grade it: ``<item>_check`` (visible checks, the cell students run) and ``<item>_hidden``
(hidden checks). Points are course settings, in ``twolayer/assignment.toml``; the checks of an
item are the tests of ``autograder/suite/`` marked with its name.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from twolayer.config import points


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
    depends: tuple[str, ...] = ()  # items whose code this item's code calls

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


LAYERS = ("affine_forward", "affine_backward", "relu_forward", "relu_backward")

# In the order students meet them.
ITEMS: tuple[Item, ...] = (
    *(Item(name, defines=name) for name in LAYERS),
    Item("inline_question_1", Kind.MARKDOWN, visible=False),
    Item("inline_question_1_choices", defines="inline_question_1_choices", visible=False),
    Item("svm_loss", defines="svm_loss"),
    Item("softmax_loss", defines="softmax_loss"),
    Item("two_layer_net", defines="TwoLayerNet", depends=(*LAYERS, "softmax_loss")),
    Item("solver", defines="solver", visible=False, model="model", threshold="solver_val_acc"),
    Item("hyperparameter_search", defines="best_model", visible=False, model="best_model", threshold="search_val_acc"),
    Item("inline_question_2", Kind.MARKDOWN, visible=False),
    Item("inline_question_2_choices", defines="inline_question_2_choices", visible=False),
)
ITEMS_BY_NAME = {item.name: item for item in ITEMS}
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
