"""The pytest plugin that grades one submission with the suite in ``autograder/suite/``.

It gives the suite's fixtures what they need (the student's code in a sandboxed worker, the
trained models, a seeded generator per test) and turns every test's outcome into the typed
:class:`~autograder.grading.results.SubmissionResult` that the reports write. ``grade_submission``
registers it for each submission; a plain ``pytest autograder/suite --submission PATH`` gets it
from the suite's ``conftest.py``.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from autograder.course.items import (
    ITEMS,
    ITEMS_BY_NAME,
    replaced_dependencies,
    replaces_failed_dependencies,
    with_dependencies,
)
from autograder.course.notebook import read_submission
from autograder.sandbox import SandboxUnavailable
from twolayer.checks.findings import Finding
from twolayer.checks.targets import StudentCodeError
from twolayer.config import dataset_name

from .results import SubmissionResult, Visibility
from .scoring import score
from .student import ItemUnavailable, StudentRuns

if TYPE_CHECKING:
    from .options import Options

MARKER = "grades"
FINDINGS = pytest.StashKey[list]()


# The two ways a test fails a submission are pytest failures without a traceback (pytrace=False):
# pytest reports their findings as they are, and spends nothing on rendering the test's source (it
# parsed the test module for every failure, about 0.25 s of CPU per submission of the benchmark's
# class). Anything else a test raises is a bug of the grader, reported with its traceback.


class ChecksFailed(pytest.fail.Exception):
    """A test's checks found the submission wrong: their findings."""

    def __init__(self, findings: list[Finding]):
        super().__init__("\n".join(f.text() for f in findings if not f.passed), pytrace=False)
        self.findings = findings


def registered(config: pytest.Config) -> Grading | None:
    """The grading this pytest run belongs to (registered by ``grade_submission`` or the conftest)."""
    found = [p for p in config.pluginmanager.get_plugins() if isinstance(p, Grading)]
    return found[0] if found else None


def _mark(node: pytest.Item) -> pytest.Mark:
    mark = node.get_closest_marker(MARKER)
    if mark is None:
        raise pytest.UsageError(f"{node.nodeid} grades no item: mark it with @visible(...) or @hidden(...)")
    return mark


def grades(node: pytest.Item) -> tuple[str, Visibility]:
    """The item and visibility a test is declared to grade (``autograder.suite.marks``)."""
    mark = _mark(node)
    return mark.args[0], mark.args[1]


def weight(node: pytest.Item) -> float:
    """The weight of a test within its grade cell (1 unless its mark says otherwise)."""
    return float(_mark(node).kwargs.get("weight", 1.0))


@dataclass
class Record:
    """One test's outcome: one check of a grade cell."""

    item: str
    visibility: Visibility
    findings: list[Finding] = field(default_factory=list)
    grader_error: str = ""
    weight: float = 1.0
    name: str = ""  # the test's name, for a check that found nothing to say

    @property
    def passed(self) -> bool:
        return bool(self.findings) and all(f.passed for f in self.findings) and not self.grader_error

    def label(self) -> str:
        """What the check checked, as its findings say it: "dx, dw, db on random inputs x (6, 10)"
        when they share what they were checked on, else the first one's and how many more."""
        checks = list(dict.fromkeys(f.check for f in self.findings))
        if not checks:
            return self.name
        parts = [c.partition(" on ") for c in checks]
        if len(checks) > 1 and all(sep and on == parts[0][2] for _, sep, on in parts):
            words = [what.split(" ") for what, _, _ in parts]
            same = 0  # words all of them end with ("dx against ... of X", "dw against ... of X")
            while same < min(map(len, words)) - 1 and len({tuple(w[len(w) - same - 1 :]) for w in words}) == 1:
                same += 1
            heads = ", ".join(" ".join(w[: len(w) - same]) for w in words)
            return " ".join([heads, *words[0][len(words[0]) - same :], "on", parts[0][2]])
        return checks[0] + (f" (and {len(checks) - 1} more)" if len(checks) > 1 else "")


def _calls_checked_first(order: list[str]) -> bool:
    """Whether every check of an item comes after every check of the items it calls (the suite's
    modules run so: layers, losses, network, questions, training)."""
    last = {item: i for i, item in enumerate(order)}
    first = {item: i for i, item in reversed(list(enumerate(order)))}
    return all(last.get(dep, -1) < first[item] for item in first for dep in ITEMS_BY_NAME[item].depends)


def _depth(item: str) -> int:
    """0 for an item that calls no other, else one more than the deepest item it calls."""
    depends = ITEMS_BY_NAME[item].depends
    return 1 + max(map(_depth, depends)) if depends else 0


def answers_seed(answers: dict[str, str]) -> int:
    """The seed of the hidden inputs when none is given: drawn from the answers themselves, so that
    grading the same answers again gives the same points on every path (a wrong answer can pass a
    share of the checks on random inputs, and that share would move with fresh inputs), while other
    answers get other inputs. Students do not see the hidden checks, so knowing it tells them nothing."""
    digest = hashlib.sha256(json.dumps(sorted(answers.items())).encode()).digest()
    return int.from_bytes(digest[:4], "little")


class Grading:
    """The grading of one submission: the state behind the suite's fixtures, and its result."""

    def __init__(self, path: Path, options: Options):
        self.path, self.options = Path(path), options
        self.dataset = dataset_name(options.dataset)
        self.sub = read_submission(self.path)
        self.seed = options.seed if options.seed is not None else answers_seed(self.sub.answers)
        self.wanted = tuple(options.items or (i.name for i in ITEMS))
        # With stand-ins, the items the wanted ones call are checked too (not reported): whether they
        # fail their own checks says what stands in for them.
        self.stand_ins_on = replaces_failed_dependencies()
        self.checked = with_dependencies(self.wanted) if self.stand_ins_on else self.wanted
        self.student = StudentRuns(self.sub, options, self.dataset, self.checked, self.seed)
        self.student.replaced = self.replaced
        self.stand_ins: dict[str, tuple[str, ...]] = {}  # item -> the items checked with correct versions
        self.records: list[Record] = []
        self.accuracies: dict[str, dict[str, float]] = {}
        self.choices: dict[str, list[int]] = {}  # inline question -> the options the student chose
        self.collected: set[str] = set()  # items with a test in this run (pytest -k can leave some out)
        self.interrupted = False  # Ctrl-C or SIGTERM while the suite ran
        self.collection_errors: list[str] = []  # the suite itself could not be read: a bug of the grader
        self.sandbox_failure = ""  # the sandbox could not be started: the grader's failure, not graded
        self.containment = ""  # what contained the student's code (sandbox.Mechanisms.summary)

    # --- what the fixtures ask for --------------------------------------------------------------

    def rng(self, test_name: str) -> np.random.Generator:
        """A generator of its own for each test: the same inputs whatever else runs."""
        return np.random.default_rng([self.seed, zlib.crc32(test_name.encode())])

    def target(self, item: str) -> Any:
        """The student's code (a sandboxed worker) for the checks of ``item``."""
        return self.student.target(item)

    def replaced(self, item: str) -> tuple[str, ...]:
        """The items ``item`` is checked with correct versions of: those it calls that failed their
        own checks earlier in this grading (none when the course turned stand-ins off)."""
        if not self.stand_ins_on:
            return ()
        failed = {r.item for r in self.records if not r.passed}
        found = replaced_dependencies(item, failed)
        if found:
            self.stand_ins[item] = found
        return found

    def model_params(self, item: str) -> dict[str, np.ndarray]:
        """The parameters of the model that ``item``'s cell trained."""
        return self.student.model_params(item)

    # --- pytest hooks ---------------------------------------------------------------------------

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        keep = [node for node in items if grades(node)[0] in self.checked]
        if len(keep) != len(items):
            config.hook.pytest_deselected(items=[node for node in items if node not in keep])
            items[:] = keep
        if not _calls_checked_first([grades(node)[0] for node in items]):
            items.sort(key=lambda node: _depth(grades(node)[0]))

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo) -> None:
        # pytest stops on collection errors with an exception of this hook's kind too.
        self.interrupted = not isinstance(excinfo.value, pytest.Session.Interrupted)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collection_errors.append(f"{report.nodeid}: {report.longreprtext[-1500:]}")

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.collected = {grades(node)[0] for node in session.items}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> Any:
        outcome = yield
        report = outcome.get_result()
        if call.when == "teardown" or (call.when == "setup" and call.excinfo is None):
            return
        graded, visibility = grades(item)
        record = Record(graded, visibility, list(item.stash.get(FINDINGS, [])), weight=weight(item), name=item.name)
        error = call.excinfo.value if call.excinfo is not None else None
        if isinstance(error, ChecksFailed):
            record.findings = list(error.findings)
        elif isinstance(error, ItemUnavailable):
            record.findings = [error.finding]
        elif isinstance(error, StudentCodeError):
            record.findings.append(Finding(False, f"{graded} checks", f"your code {error}"))
        elif isinstance(error, SandboxUnavailable):  # the grader's failure: nothing more runs
            self.sandbox_failure = self.sandbox_failure or error.explain()
            item.session.shouldstop = "the sandbox could not be started"
        elif error is not None:
            record.grader_error = f"{item.name}: {type(error).__name__}: {error}"
        if error is not None and not record.grader_error:
            report.longrepr = "\n".join(f.text() for f in record.findings if not f.passed)
        self._note_dead_worker(graded)
        self.records.append(record)

    def _note_dead_worker(self, item: str) -> None:
        """Student code that killed or hung its worker during a check of ``item`` would do it again
        in every other check of the item, each costing the full timeout: they fail at once."""
        code, broken = self.student.code, self.student.broken
        worker = code.worker if code is not None else None
        if worker is not None and worker.dead and item not in broken:
            broken[item] = Finding(False, f"{item} checks", f"your code {worker.dead}")

    def pytest_sessionfinish(self) -> None:
        self.close()

    def close(self) -> None:
        self.student.close()

    # --- the result -----------------------------------------------------------------------------

    def result(self) -> SubmissionResult:
        return score(self)
