"""The pytest plugin that grades one submission with the suite in ``autograder/suite/``.

It gives the suite's fixtures what they need (the student's code in a sandboxed worker, the
trained models, a seeded generator per test) and turns every test's outcome into the typed
:class:`~autograder.results.SubmissionResult` that the reports write. ``grade_submission``
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

from twolayer.config import dataset_name, points, training_budgets
from twolayer.findings import HINTS, Finding
from twolayer.targets import StudentCodeError

from .items import CODE_ITEMS, ITEMS, ITEMS_BY_NAME, TRAINING_ITEMS
from .notebook import program, read_submission, training_seeds
from .remote import Handle, WorkerDied
from .results import CellResult, Status, SubmissionResult, Visibility, student_name
from .sandbox import GiB, Limits
from .session import Session, StudentCode, dataset_env, not_implemented

if TYPE_CHECKING:
    from .grading import Options

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


class ItemUnavailable(pytest.fail.Exception):
    """The item's checks cannot run: its cell is missing, failed, or does not define its name."""

    def __init__(self, finding: Finding):
        super().__init__(finding.text(), pytrace=False)
        self.finding = finding


def unavailable(item: str, message: str, hint: str = "") -> ItemUnavailable:
    return ItemUnavailable(Finding(False, f"{item} could be checked", message, hint))


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
        self.env, self.readonly = dataset_env(self.dataset)
        self.records: list[Record] = []
        self.accuracies: dict[str, dict[str, float]] = {}
        self.choices: dict[str, list[int]] = {}  # inline question -> the options the student chose
        self.notes: list[str] = []
        self.broken: dict[str, Finding] = {}  # item -> why its remaining checks cannot run
        self.collected: set[str] = set()  # items with a test in this run (pytest -k can leave some out)
        self.interrupted = False  # Ctrl-C or SIGTERM while the suite ran
        self.collection_errors: list[str] = []  # the suite itself could not be read: a bug of the grader
        self._code: Session | None = None
        self._training: Session | None = None
        self._models: dict[str, Any] | None = None

    # --- what the fixtures ask for --------------------------------------------------------------

    def rng(self, test_name: str) -> np.random.Generator:
        """A generator of its own for each test: the same inputs whatever else runs."""
        return np.random.default_rng([self.seed, zlib.crc32(test_name.encode())])

    def target(self, item: str) -> Any:
        """The student's code (a sandboxed worker) for the checks of ``item``."""
        if item in self.broken:
            raise ItemUnavailable(self.broken[item])
        if item in self.sub.problems:
            raise unavailable(item, self.sub.problems[item])
        if self._code is None:
            self._code = self._session(
                CODE_ITEMS, with_data=False, memory=4 * GiB, cpu=600, cell_timeout=self.options.item_timeout
            )
            self._code.start()
        defines = ITEMS_BY_NAME[item].defines
        try:
            target = self._code.alive_target()
            defined = target.has(defines)
        except StudentCodeError as err:  # the worker died while asked what it defines
            self.broken[item] = unavailable(item, f"your code {err}").finding
            self._code.close()
            raise ItemUnavailable(self.broken[item]) from None
        if not defined:
            self.broken[item] = self._undefined(item, defines).finding
            raise ItemUnavailable(self.broken[item])
        return StudentCode(self._code, self.broken)

    def _undefined(self, item: str, defines: str) -> ItemUnavailable:
        err = self._code.cell_errors.get(item)
        if err:
            return unavailable(
                item, f"your `{item}` cell {err}", HINTS["not_implemented"] if not_implemented(err) else ""
            )
        others = [n for n in self.sub.defined_names(item) if n != defines]
        extra = (
            f" (the cell defines {', '.join('`' + n + '`' for n in others)} instead: keep the given name)"
            if others
            else ""
        )
        return unavailable(item, f"`{defines}` is not defined by its answer cell{extra}")

    def model_params(self, item: str) -> dict[str, np.ndarray]:
        """The parameters of the model that ``item``'s cell trained."""
        if self._models is None:
            self._models = self._train()
        value = self._models.get(item)
        if isinstance(value, str):
            raise unavailable(item, value)
        if value is None:
            raise unavailable(item, f"`{ITEMS_BY_NAME[item].model}` is not a trained model (is it still None?)")
        return value

    def budgets(self) -> dict[str, float]:
        """Seconds the training worker's cells may run: the course's budgets for the dataset
        (``setup``: every cell but the training ones), or ``--cell-timeout`` for all of them."""
        budgets = training_budgets(self.dataset)
        if self.options.cell_timeout is not None:
            budgets = {cell: float(self.options.cell_timeout) for cell in budgets}
        return budgets

    def _session(
        self,
        items: tuple[str, ...],
        *,
        with_data: bool,
        memory: int,
        cpu: int,
        cell_timeout: float,
        threads: int = 1,
        budgets: dict[str, float] | None = None,
    ) -> Session:
        env = {**self.env, "OPENBLAS_NUM_THREADS": str(threads)} if with_data else self.env
        return Session(
            program(self.sub, items, with_data=with_data, seed=self.seed),
            Limits(memory_bytes=memory, cpu_seconds=cpu, threads=threads),
            env=env,
            readonly=self.readonly,
            timeout=self.options.item_timeout,
            cell_timeout=cell_timeout,
            budgets=budgets,
        )

    def _train(self) -> dict[str, Any]:
        """Run the training cells once for every training item asked for: item -> params or a problem."""
        given = dict(self.options.params or {})
        models: dict[str, Any] = {i: given[i] for i in TRAINING_ITEMS if i in given}
        todo = [i for i in TRAINING_ITEMS if i in self.wanted and i not in given]
        models.update({i: self.sub.problems[i] for i in todo if i in self.sub.problems})
        todo = [i for i in todo if i not in models]
        if not todo:
            return models
        # A model given (uploaded best_model.npz, nbgrader's kernel) is not trained again.
        everything = tuple(i.name for i in ITEMS if i.kind == "code" and i.name not in given)
        budgets = self.budgets()
        session = self._session(
            everything,
            with_data=True,
            memory=12 * GiB,
            # CPU time: every cell at its budget, on each BLAS thread.
            cpu=int(sum(budgets.values()) * self.options.threads) + 60,
            cell_timeout=budgets.pop("setup"),
            threads=self.options.threads,
            budgets=budgets,
        )
        self._training = session

        def collect(cell_id: str) -> None:
            if cell_id in todo:
                variable = ITEMS_BY_NAME[cell_id].model
                try:
                    model = session.target.get(None, variable)
                    models[cell_id] = session.target.get(model, "params") if isinstance(model, Handle) else None
                except (StudentCodeError, WorkerDied) as err:
                    models[cell_id] = f"`{variable}` {err}"

        try:
            session.start(after=collect)
        finally:
            self.notes += [f"{cid}: {msg}" for cid, msg in session.cell_errors.items() if cid not in todo]
            for item in todo:
                err = session.cell_errors.get(item)
                if err and not isinstance(models.get(item), str):
                    if not_implemented(err):
                        models[item] = f"your `{item}` cell is not done yet ({err})"
                    elif models.get(item) is None:
                        models[item] = f"your `{item}` cell {err}"
            session.close()
        return models

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
        elif error is not None:
            record.grader_error = f"{item.name}: {type(error).__name__}: {error}"
        if error is not None and not record.grader_error:
            report.longrepr = "\n".join(f.text() for f in record.findings if not f.passed)
        self._note_dead_worker(graded)
        self.records.append(record)

    def _note_dead_worker(self, item: str) -> None:
        """Student code that killed or hung its worker during a check of ``item`` would do it again
        in every other check of the item, each costing the full timeout: they fail at once."""
        worker = self._code.worker if self._code is not None else None
        if worker is not None and worker.dead and item not in self.broken:
            self.broken[item] = Finding(False, f"{item} checks", f"your code {worker.dead}")

    def pytest_sessionfinish(self) -> None:
        self.close()

    def close(self) -> None:
        if self._code is not None:
            self._code.close()

    # --- the result -----------------------------------------------------------------------------

    def result(self) -> SubmissionResult:
        result = SubmissionResult(str(self.path), student_name(self.path), dataset=self.dataset, seed=self.seed)
        if self.sub.error:
            result.status, result.reason = Status.UNGRADED, self.sub.error
            return result
        errors = [r.grader_error for r in self.records if r.grader_error]
        if errors:
            result.status, result.reason = Status.UNGRADED, f"the grader failed on this notebook: {errors[0]}"
            return result
        if self.sub.kernel and self.sub.kernel not in ("python3", "python", "two_layer_net_sandbox"):
            result.notes.append(
                f"the notebook names the kernel {self.sub.kernel!r}; it was graded with the course's Python"
            )
        pts = points()
        for item in ITEMS:
            if item.name not in self.wanted or not (item.by_hand or item.name in self.collected):
                continue
            if item.by_hand:
                result.cells.append(CellResult(item.name, item.name, Visibility.MANUAL, pts[item.name], None, None))
                result.manual_answers[item.name] = self.sub.answers.get(
                    item.name, f"({self.sub.problems.get(item.name, 'missing')})"
                )
                continue
            for grade_id in item.test_cells:
                visibility = Visibility.VISIBLE if grade_id.endswith("_check") else Visibility.HIDDEN
                found = _distinct(
                    f for r in self.records if (r.item, r.visibility) == (item.name, visibility) for f in r.findings
                )
                passed = bool(found) and all(f.passed for f in found)
                result.cells.append(
                    CellResult(
                        grade_id, item.name, visibility, pts[grade_id], pts[grade_id] if passed else 0.0, passed, found
                    )
                )
        result.accuracies = dict(self.accuracies)
        for session in (self._code, self._training):
            if session is not None:
                result.cell_seconds.update({cell: round(t, 3) for cell, t in session.cell_seconds.items()})
        if self._training is not None:
            result.budgets = dict(self._training.budgets)
            result.training_seeds = training_seeds(self.seed, (cell for cell, _ in self._training.cells))
        result.choices = dict(self.choices)
        result.notes += self.notes
        _explain_dependencies(result)
        return result


def _distinct(findings: Any) -> list[Finding]:
    """The findings in order, each once (an item that cannot run says so once, not per check)."""
    seen: set[tuple] = set()
    out = []
    for f in findings:
        key = (f.passed, f.check, f.message, f.hint)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _explain_dependencies(result: SubmissionResult) -> None:
    """An item that fails while an item its code calls fails too: say so (each is graded on its own)."""
    failed_items = {c.item for c in result.cells if c.passed is False}
    for item in failed_items:
        broken = [d for d in ITEMS_BY_NAME[item].depends if d in failed_items]
        if broken:
            note = (
                f"{item} calls your {', '.join(broken)}, which also fail(s) their own checks: fix "
                f"{'it' if len(broken) == 1 else 'them'} first, then check {item} again"
            )
            for cell in result.cells_of(item):
                if not cell.passed:
                    cell.findings.append(Finding(False, "dependencies", note))
