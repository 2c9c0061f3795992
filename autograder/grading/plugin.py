"""The pytest plugin that grades one submission with the suite in ``autograder/suite/``.

It gives the suite's fixtures what they need (the student's code in a sandboxed worker, the
trained models, a seeded generator per test) and turns every test's outcome into the typed
:class:`~autograder.grading.results.SubmissionResult` that the reports write. ``grade_submission``
registers it for each submission; a plain ``pytest autograder/suite --submission PATH`` gets it
from the suite's ``conftest.py``.
"""

from __future__ import annotations

import secrets
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from autograder.course.items import ITEMS
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


def grades(node: pytest.Item) -> tuple[str, Visibility]:
    """The item and visibility a test is declared to grade (``autograder.suite.marks``)."""
    mark = node.get_closest_marker(MARKER)
    if mark is None:
        raise pytest.UsageError(f"{node.nodeid} grades no item: mark it with @visible(...) or @hidden(...)")
    return mark.args[0], mark.args[1]


@dataclass
class Record:
    """One test's outcome."""

    item: str
    visibility: Visibility
    findings: list[Finding] = field(default_factory=list)
    grader_error: str = ""


class Grading:
    """The grading of one submission: the state behind the suite's fixtures, and its result."""

    def __init__(self, path: Path, options: Options):
        self.path, self.options = Path(path), options
        self.dataset = dataset_name(options.dataset)
        self.seed = options.seed if options.seed is not None else secrets.randbits(32)
        self.sub = read_submission(self.path)
        self.wanted = tuple(options.items or (i.name for i in ITEMS))
        self.student = StudentRuns(self.sub, options, self.dataset, self.wanted, self.seed)
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

    def model_params(self, item: str) -> dict[str, np.ndarray]:
        """The parameters of the model that ``item``'s cell trained."""
        return self.student.model_params(item)

    # --- pytest hooks ---------------------------------------------------------------------------

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        keep = [node for node in items if grades(node)[0] in self.wanted]
        if len(keep) != len(items):
            config.hook.pytest_deselected(items=[node for node in items if node not in keep])
            items[:] = keep

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
        record = Record(graded, visibility, list(item.stash.get(FINDINGS, [])))
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
