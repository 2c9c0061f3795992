"""The class's statistics, computed from the typed results of a grading run (and the hand grades of
nbgrader's gradebook): every number the class report shows comes from here; the page and the CSV
only lay them out.

Points are read from the results (``CellResult.points``), never recomputed from pass or fail, so
that a cell worth part of its points counts as such. A check is a finding's ``check`` within its
grade cell; its outcome for a student is failed when any finding of that name failed.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from autograder.course.items import CHOICE_OPTIONS, ITEMS, ITEMS_BY_NAME, item_points
from autograder.grading.results import CellResult, SubmissionResult, Visibility
from twolayer.checks.findings import HINTS, Finding
from twolayer.config import thresholds

from .handgraded import HandGrades

# The training checks name the accuracy they got ("... at least 0.94 (got 0.936)", suite/test_training.py):
# without it, the check is the same for every student.
_GOT = re.compile(r" \(got [^()]*\)$")
NOT_DONE = HINTS["not_implemented"]
EXPLANATIONS = ("dependencies",)  # findings that explain a failure (plugin._explain_dependencies), not checks
MIN_FOR_DISCRIMINATION = 3  # graded submissions; with two, any correlation is +1 or -1
NEAR = 0.01  # a validation accuracy this close to its threshold hangs on a few images of the validation set


@dataclass(frozen=True)
class Summary:
    n: int
    mean: float
    median: float
    minimum: float
    maximum: float


def summary(values: Iterable[float]) -> Summary | None:
    xs = sorted(values)
    if not xs:
        return None
    n, mid = len(xs), len(xs) // 2
    median = xs[mid] if n % 2 else (xs[mid - 1] + xs[mid]) / 2
    return Summary(n, math.fsum(xs) / n, median, xs[0], xs[-1])


def point_biserial(x: Sequence[float], y: Sequence[float]) -> float | None:
    """The correlation of ``x`` (an item's points) with ``y`` (the rest of the score): Pearson's,
    which for an all-or-nothing item is the point-biserial correlation. None when either does not vary."""
    n = len(x)
    if n < 2:
        return None
    mx, my = math.fsum(x) / n, math.fsum(y) / n
    sxy = math.fsum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx = math.fsum((a - mx) ** 2 for a in x)
    syy = math.fsum((b - my) ** 2 for b in y)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


@dataclass
class ItemStats:
    item: str
    max_points: float
    by_hand: bool
    submissions: int  # the whole class, ungraded submissions included
    points: dict[str, float] = field(default_factory=dict)  # student -> points, where the item was graded
    not_done: int = 0  # graded submissions that left the item as the release gave it
    discrimination: float | None = None
    why_no_discrimination: str = ""

    @property
    def graded(self) -> int:
        return len(self.points)

    @property
    def mean(self) -> float | None:
        return math.fsum(self.points.values()) / self.graded if self.points else None

    @property
    def full_marks(self) -> float | None:
        """Share of the submissions graded on this item that got all its points."""
        return sum(p >= self.max_points for p in self.points.values()) / self.graded if self.points else None

    @property
    def ungraded(self) -> float:
        """Share of the class without points on this item (ungraded, or not yet graded by hand)."""
        return (self.submissions - self.graded) / self.submissions if self.submissions else 0.0


@dataclass
class CheckStats:
    grade_id: str
    item: str
    check: str
    outcomes: dict[str, bool] = field(default_factory=dict)  # student -> passed, where the check ran
    messages: Counter[str] = field(default_factory=Counter)  # what it said to the students it failed

    @property
    def ran(self) -> int:
        return len(self.outcomes)

    @property
    def failing(self) -> list[str]:
        return [s for s, passed in self.outcomes.items() if not passed]

    @property
    def failure_rate(self) -> float:
        return len(self.failing) / self.ran if self.ran else 0.0

    @property
    def message(self) -> str:
        """What the check said most often when it failed (the first such message on a tie)."""
        return self.messages.most_common(1)[0][0] if self.messages else ""


@dataclass
class MistakeStats:
    """A known mistake the grader recognised: the hint it gave, where, and to whom."""

    hint: str
    items: list[str] = field(default_factory=list)
    students: list[str] = field(default_factory=list)


@dataclass
class AccuracyStats:
    item: str
    threshold: float | None
    values: dict[str, float] = field(default_factory=dict)  # student -> validation accuracy
    missing: dict[str, str] = field(default_factory=dict)  # graded, no accuracy (nothing trained...) -> why

    @property
    def below(self) -> list[str]:
        return [s for s, v in self.values.items() if self.threshold is not None and v < self.threshold]

    @property
    def near(self) -> list[str]:
        return [s for s, v in self.values.items() if self.threshold is not None and abs(v - self.threshold) < NEAR]


@dataclass
class ChoiceStats:
    question: str
    options: tuple[int, ...]
    chosen: dict[str, tuple[int, ...]] = field(default_factory=dict)  # student -> the options chosen
    right: tuple[int, ...] | None = None  # the set the grader accepted (seen on a passing submission)
    unknown: list[str] = field(default_factory=list)  # graded, no valid set recorded

    def counts(self) -> list[tuple[tuple[int, ...], int]]:
        """Each set chosen, with how many chose it: most chosen first."""
        return Counter(self.chosen.values()).most_common()


@dataclass
class ClassStatistics:
    students: list[str]  # every submission, as named in the report (unique)
    graded: list[str]
    ungraded: dict[str, str]  # student -> reason
    dataset: str
    max_score: float
    scores: dict[str, float]  # graded student -> autograded points
    items: list[ItemStats]
    cell_points: dict[str, dict[str, float]]  # autograded grade cell -> graded student -> points, in notebook order
    checks: list[CheckStats]
    mistakes: list[MistakeStats]
    accuracies: list[AccuracyStats]
    choices: list[ChoiceStats]
    seconds: dict[str, float]  # student -> seconds its grading took
    training_seconds: dict[str, dict[str, float]]  # student -> training item -> seconds its cell ran
    hand: HandGrades
    totals: dict[str, float]  # graded student with every hand grade given -> autograded + hand points
    problems: list[str]  # what makes the report thin: said at its top

    @property
    def score_summary(self) -> Summary | None:
        return summary(self.scores.values())

    def ranked_checks(self) -> list[CheckStats]:
        """The checks that failed at least once, most often failed first."""
        failed = [c for c in self.checks if c.failing]
        return sorted(failed, key=lambda c: (-c.failure_rate, -len(c.failing)))


def not_done(finding: Finding) -> bool:
    """A failure that says the item was left as the release gave it: not a mistake, and not a check
    of an answer (the check did not run on one)."""
    return not finding.passed and (finding.hint == NOT_DONE or "NotImplementedError" in finding.message)


def check_name(finding: Finding) -> str:
    return _GOT.sub("", finding.check)


def unique_names(results: Sequence[SubmissionResult]) -> list[str]:
    """The students' names, each once: a name seen twice gets its notebook's path."""
    seen = Counter(r.student for r in results)
    return [r.student if seen[r.student] == 1 else f"{r.student} ({r.path})" for r in results]


def class_statistics(results: Sequence[SubmissionResult], hand: HandGrades | None = None) -> ClassStatistics:
    names = unique_names(results)
    graded = {name: r for name, r in zip(names, results, strict=True) if r.graded}
    hand = hand or {}
    datasets = Counter(r.dataset for r in graded.values())
    dataset = datasets.most_common(1)[0][0] if datasets else ""
    stats = ClassStatistics(
        students=names,
        graded=list(graded),
        ungraded={name: r.reason for name, r in zip(names, results, strict=True) if not r.graded},
        dataset=dataset,
        max_score=max((r.max_score for r in graded.values()), default=0.0),
        scores={name: r.score for name, r in graded.items()},
        items=[_item_stats(item.name, names, graded, hand) for item in ITEMS],
        cell_points=_cell_points(graded),
        checks=_check_stats(graded),
        mistakes=_mistakes(graded),
        accuracies=_accuracies(graded, dataset),
        choices=_choices(graded),
        seconds={name: r.seconds for name, r in zip(names, results, strict=True)},
        training_seconds={
            name: {i: r.cell_seconds[i] for i in _training_items() if i in r.cell_seconds} for name, r in graded.items()
        },
        hand=hand,
        totals=_totals(graded, hand),
        problems=_problems(results, graded, datasets),
    )
    return stats


def _training_items() -> list[str]:
    return [item.name for item in ITEMS if item.threshold]


def _autograded_cells(result: SubmissionResult) -> list[CellResult]:
    return [c for c in result.cells if c.visibility is not Visibility.MANUAL]


def _item_stats(item: str, names: list[str], graded: dict[str, SubmissionResult], hand: HandGrades) -> ItemStats:
    stats = ItemStats(item, item_points(item), ITEMS_BY_NAME[item].by_hand, len(names))
    rest: dict[str, float] = {}
    for name, r in graded.items():
        if stats.by_hand:
            given = hand.get(r.student, {}).get(item)
            if given is not None and given.graded:
                stats.points[name], rest[name] = given.points, r.score
            continue
        got, _ = r.item_scores().get(item, (None, 0.0))
        if got is None:  # not graded in this run (grade --item)
            continue
        stats.points[name], rest[name] = got, r.score - got
        cells = r.cells_of(item)
        stats.not_done += any(not_done(f) for c in cells for f in c.failures)
    if stats.by_hand:  # hand grades of students whose notebook the grader could not grade count too
        for student, grades in hand.items():
            given = grades.get(item)
            if student in names and student not in graded and given is not None and given.graded:
                stats.points[student] = given.points
    scored = [name for name in stats.points if name in rest]
    if len(scored) < MIN_FOR_DISCRIMINATION:
        stats.why_no_discrimination = f"needs at least {MIN_FOR_DISCRIMINATION} graded submissions"
        return stats
    x, y = [stats.points[n] for n in scored], [rest[n] for n in scored]
    stats.discrimination = point_biserial(x, y)
    if stats.discrimination is None:
        stats.why_no_discrimination = (
            "everyone got the same points on it" if len(set(x)) == 1 else "the rest of the score does not vary"
        )
    return stats


def _cell_points(graded: dict[str, SubmissionResult]) -> dict[str, dict[str, float]]:
    found: dict[str, dict[str, float]] = {cell: {} for item in ITEMS for cell in item.test_cells}
    for name, r in graded.items():
        for cell in _autograded_cells(r):
            if cell.points is not None:
                found.setdefault(cell.grade_id, {})[name] = cell.points
    return {cell: points for cell, points in found.items() if points}


def _check_stats(graded: dict[str, SubmissionResult]) -> list[CheckStats]:
    checks: dict[tuple[str, str], CheckStats] = {}
    for name, r in graded.items():
        for cell in _autograded_cells(r):
            outcome: dict[str, Finding | None] = {}  # check -> its first failed finding, or None
            for f in cell.findings:
                if f.check in EXPLANATIONS or not_done(f):
                    continue
                key = check_name(f)
                if outcome.get(key) is None:
                    outcome[key] = None if f.passed else f
            for key, failed in outcome.items():
                stats = checks.setdefault((cell.grade_id, key), CheckStats(cell.grade_id, cell.item, key))
                stats.outcomes[name] = failed is None
                if failed is not None:
                    stats.messages[failed.message] += 1
    order = {cell: i for i, cell in enumerate(c for item in ITEMS for c in item.test_cells)}
    return sorted(checks.values(), key=lambda c: order.get(c.grade_id, len(order)))  # stable: checks in order seen


def _mistakes(graded: dict[str, SubmissionResult]) -> list[MistakeStats]:
    found: dict[str, MistakeStats] = {}
    for name, r in graded.items():
        for cell in _autograded_cells(r):
            for f in cell.failures:
                if not f.hint or not_done(f):
                    continue
                mistake = found.setdefault(f.hint, MistakeStats(f.hint))
                if cell.item not in mistake.items:
                    mistake.items.append(cell.item)
                if name not in mistake.students:
                    mistake.students.append(name)
    return sorted(found.values(), key=lambda m: -len(m.students))


def _accuracies(graded: dict[str, SubmissionResult], dataset: str) -> list[AccuracyStats]:
    out = []
    for item in _training_items():
        threshold = thresholds(dataset)[ITEMS_BY_NAME[item].threshold] if dataset else None
        stats = AccuracyStats(item, threshold)
        for name, r in graded.items():
            if item not in r.item_scores():
                continue
            if item in r.accuracies:
                stats.values[name] = float(r.accuracies[item]["val_acc"])
            else:
                failures = [f.message for c in r.cells_of(item) for f in c.failures]
                stats.missing[name] = failures[0] if failures else "no accuracy was recorded"
        out.append(stats)
    return out


def _choices(graded: dict[str, SubmissionResult]) -> list[ChoiceStats]:
    out = []
    for question, options in CHOICE_OPTIONS.items():
        stats = ChoiceStats(question, tuple(options))
        for name, r in graded.items():
            cells = r.cells_of(question)
            if not cells:
                continue
            if question not in r.choices:
                stats.unknown.append(name)
                continue
            chosen = tuple(sorted(r.choices[question]))
            stats.chosen[name] = chosen
            if all(c.passed for c in cells):
                stats.right = chosen
        out.append(stats)
    return out


def _totals(graded: dict[str, SubmissionResult], hand: HandGrades) -> dict[str, float]:
    manual = [item.name for item in ITEMS if item.by_hand]
    totals = {}
    for name, r in graded.items():
        given = [hand.get(r.student, {}).get(item) for item in manual]
        if given and all(g is not None and g.graded for g in given):
            totals[name] = r.score + math.fsum(g.points for g in given)
    return totals


def _problems(
    results: Sequence[SubmissionResult], graded: dict[str, SubmissionResult], datasets: Counter[str]
) -> list[str]:
    if not results:
        return [
            "The results hold no submission: nothing to report yet. (A journal is empty when grading stopped "
            "before its first notebook: run the same `grade` command again with --resume.)"
        ]
    problems = []
    if not graded:
        problems.append(
            f"No submission could be graded ({len(results)} of {len(results)} ungraded): the reasons are below."
        )
    elif len(graded) == 1:
        problems.append(
            "Only one submission was graded: a class of one has no distribution and no discrimination index; "
            "its results are shown as they are."
        )
    if len(datasets) > 1:
        problems.append(
            "The submissions were graded on different datasets ("
            + ", ".join(f"{d}: {n}" for d, n in datasets.most_common())
            + f"): the thresholds shown are those of {datasets.most_common(1)[0][0]}."
        )
    return problems
