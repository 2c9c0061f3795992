"""Results of a grading run written by hand, for the tests of what reads them (the class report,
the Canvas export): every grade cell of the course, its points from assignment.toml, full marks
with one passing check unless the test says otherwise."""

from __future__ import annotations

from autograder.course.items import ITEMS
from autograder.grading.results import CellResult, Status, SubmissionResult, Visibility
from twolayer.checks.findings import Finding
from twolayer.config import points


def graded(
    student: str,
    *,
    cells: dict[str, tuple[float, list[Finding]]] | None = None,
    accuracies: dict[str, float] | None = None,
    choices: dict[str, list[int]] | None = None,
    seconds: float = 10.0,
    dataset: str = "digits",
) -> SubmissionResult:
    """A graded submission: ``cells`` gives a grade cell's points and findings (others: full marks,
    one passing check named ``ok``); ``accuracies``: item -> validation accuracy."""
    cells = cells or {}
    pts = points()
    result = SubmissionResult(f"submitted/{student}/two_layer_net/two_layer_net.ipynb", student, dataset=dataset)
    for item in ITEMS:
        if item.by_hand:
            result.cells.append(CellResult(item.name, item.name, Visibility.MANUAL, pts[item.name], None, None))
            continue
        for grade_id in item.test_cells:
            visibility = Visibility.VISIBLE if grade_id.endswith("_check") else Visibility.HIDDEN
            got, findings = cells.get(grade_id, (pts[grade_id], [Finding(True, "ok")]))
            passed = all(f.passed for f in findings)
            result.cells.append(CellResult(grade_id, item.name, visibility, pts[grade_id], got, passed, findings))
    result.accuracies = {item: {"val_acc": v, "test_acc": v} for item, v in (accuracies or {}).items()}
    result.choices = dict(choices or {})
    result.seconds = seconds
    return result


def ungraded(student: str, reason: str, seconds: float = 1.0) -> SubmissionResult:
    return SubmissionResult(
        f"submitted/{student}/two_layer_net/two_layer_net.ipynb",
        student,
        status=Status.UNGRADED,
        reason=reason,
        seconds=seconds,
    )


# The synthetic class of the report's tests; its statistics are worked out by hand in
# tests/test_autograder/test_reports/test_statistics.py.
OVERFLOW = "Subtract each row's maximum score before exponentiating."
NO_RELU = "The hidden layer must go through a ReLU: affine -> ReLU -> affine."
NOT_DONE = "Replace `raise NotImplementedError()` in the cell with your code and run that cell."
AROUND_1000 = "loss on scores around 1000, of shape (12, 5)"
FLOAT32 = "loss on random float32 scores (9, 4)"
SCORES = "scores on random inputs X (6, 8)"
RIGHT_SET = "inline_question_1_choices is the right set of options"


def _solver(accuracy: float) -> tuple[float, list[Finding]]:
    ok = accuracy >= 0.90
    check = f"validation accuracy of model (the Solver run) at least 0.90 (got {accuracy:.3f})"
    return (10.0 if ok else 0.0), [Finding(ok, check, "" if ok else f"validation accuracy {accuracy:.3f} is below")]


def _student(
    name: str,
    softmax: tuple[bool, bool],
    *,
    scores_ok: bool = True,
    right_set: bool = True,
    solver: float,
    search: float,
    choices_1: list[int],
    seconds: float,
    extra: dict | None = None,
) -> SubmissionResult:
    around, float32 = softmax
    softmax_findings = [
        Finding(
            around,
            AROUND_1000,
            "" if around else ("nan" if name == "bob" else "nan or inf"),
            "" if around else OVERFLOW,
        ),
        Finding(float32, FLOAT32, "" if float32 else "loss has dtype float64"),
    ]
    net = [Finding(scores_ok, SCORES, "" if scores_ok else "scores is wrong", "" if scores_ok else NO_RELU)]
    if not scores_ok:
        net.append(Finding(False, "dependencies", "two_layer_net calls your softmax_loss, which also fails"))
    cells = {
        "softmax_loss_hidden": (6.0 if around and float32 else 0.0, softmax_findings),
        "two_layer_net_hidden": (12.0 if scores_ok else 0.0, net),
        "solver_hidden": _solver(solver),
        "inline_question_1_choices_hidden": (
            3.0 if right_set else 0.0,
            [Finding(right_set, RIGHT_SET, "" if right_set else "the set of options is not right")],
        ),
        **(extra or {}),
    }
    return graded(
        name,
        cells=cells,
        accuracies={"solver": solver, "hyperparameter_search": search},
        choices={"inline_question_1_choices": choices_1, "inline_question_2_choices": [1, 3]},
        seconds=seconds,
    )


def synthetic_class() -> list[SubmissionResult]:
    """ann: full marks; bob: softmax overflows; cat: softmax overflows, no ReLU, Solver below its
    threshold, a wrong set in inline question 1; dan: affine_forward not done, softmax not float32;
    eve: not a notebook."""
    not_done = [Finding(False, "affine_forward could be checked", "your cell raised NotImplementedError", NOT_DONE)]
    return [
        _student("ann", (True, True), solver=0.95, search=0.97, choices_1=[1, 2], seconds=20),
        _student("bob", (False, True), solver=0.905, search=0.945, choices_1=[2, 1], seconds=30),
        _student(
            "cat",
            (False, True),
            scores_ok=False,
            right_set=False,
            solver=0.85,
            search=0.96,
            choices_1=[2, 3],
            seconds=40,
        ),
        _student(
            "dan",
            (True, False),
            solver=0.93,
            search=0.95,
            choices_1=[1, 2],
            seconds=10,
            extra={"affine_forward_check": (0.0, not_done), "affine_forward_hidden": (0.0, not_done)},
        ),
        ungraded("eve", "the file is not a valid notebook (invalid JSON)"),
    ]


# What the TA gave in formgrader: student -> item -> (points of 4 or None, comment).
SYNTHETIC_HAND = {
    "ann": {"inline_question_1": (4, "Good"), "inline_question_2": (3, "")},
    "bob": {"inline_question_1": (2, "Say why ann's answer is wrong"), "inline_question_2": (None, "")},
    "dan": {"inline_question_1": (3, ""), "inline_question_2": (4, "Clear")},
    "eve": {"inline_question_1": (1, "late")},
}


def synthetic_hand_grades() -> dict:
    """SYNTHETIC_HAND as the gradebook reader gives it (``reports.handgraded.HandGrades``)."""
    from autograder.reports.handgraded import HandGrade

    return {
        s: {i: HandGrade(i, 4.0, None if p is None else float(p), c) for i, (p, c) in items.items()}
        for s, items in SYNTHETIC_HAND.items()
    }
