"""The submission as the suite's checks get it: its code in a sandboxed worker (one for the items
graded by calling code, started again when student code kills it) and the models its training
cells trained (a second worker, on the dataset, within the course's time budgets). An item that
calls earlier items which failed their own checks gets the grader's correct versions of those in
their place (``execution.stand_ins``), and a training item trains with them rather than take the
model it was given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from autograder.course.items import CODE_ITEMS, ITEMS, ITEMS_BY_NAME, TRAINING_ITEMS
from autograder.course.notebook import Submission, first_training_cell, program
from autograder.execution.remote import WorkerDied
from autograder.execution.session import Session, StudentCode, dataset_env, not_implemented
from autograder.execution.stand_ins import ReferenceProcess, StandIns
from autograder.execution.target import Handle
from autograder.sandbox import GiB, Limits
from twolayer.checks.findings import HINTS, Finding
from twolayer.checks.targets import StudentCodeError
from twolayer.config import training_budgets

from .options import Options


class ItemUnavailable(pytest.fail.Exception):
    """The item's checks cannot run: its cell is missing, failed, or does not define its name."""

    def __init__(self, finding: Finding):
        super().__init__(finding.text(), pytrace=False)
        self.finding = finding


def unavailable(item: str, message: str, hint: str = "") -> ItemUnavailable:
    return ItemUnavailable(Finding(False, f"{item} could be checked", message, hint))


class StudentRuns:
    """The submission's code and trained models, for the checks of one grading."""

    def __init__(self, sub: Submission, options: Options, dataset: str, wanted: tuple[str, ...], seed: int):
        self.sub, self.options, self.dataset, self.wanted, self.seed = sub, options, dataset, wanted, seed
        self.env, self.readonly = dataset_env(dataset)
        self.broken: dict[str, Finding] = {}  # item -> why its remaining checks cannot run
        self.notes: list[str] = []  # what went wrong in cells that no item is graded by
        self.code: Session | None = None  # the items graded by calling code
        self.training: Session | None = None  # the training cells, on the dataset
        self._models: dict[str, Any] | None = None
        # item -> the items it is checked with correct versions of (set by the grading, which knows
        # which failed); the correct versions' process, started at their first call
        self.replaced: Callable[[str], tuple[str, ...]] = lambda item: ()
        self.reference = ReferenceProcess()

    def target(self, item: str) -> Any:
        """The student's code (a sandboxed worker) for the checks of ``item``."""
        if item in self.broken:
            raise ItemUnavailable(self.broken[item])
        if item in self.sub.problems:
            raise unavailable(item, self.sub.problems[item])
        if self.code is None:
            self.code = self._session(
                CODE_ITEMS, with_data=False, memory=4 * GiB, cpu=600, cell_timeout=self.options.item_timeout
            )
            self.code.start()
        defines = ITEMS_BY_NAME[item].defines
        try:
            target = self.code.alive_target()
            defined = target.has(defines)
        except StudentCodeError as err:  # the worker died while asked what it defines
            self.broken[item] = unavailable(item, f"your code {err}").finding
            self.code.close()
            raise ItemUnavailable(self.broken[item]) from None
        if not defined:
            self.broken[item] = self._undefined(item, defines).finding
            raise ItemUnavailable(self.broken[item])
        self._stand_ins(self.code, self.replaced(item))
        return StudentCode(self.code, self.broken)

    def _stand_ins(self, session: Session, items: tuple[str, ...], at: str | None = None) -> None:
        """The correct versions of ``items`` (and of those already there) in the session's worker."""
        have = session.stand_ins.items if session.stand_ins is not None else ()
        wanted = tuple(dict.fromkeys((*have, *items)))
        if wanted != have:
            session.use_stand_ins(StandIns(wanted, self.reference), at)

    def _undefined(self, item: str, defines: str) -> ItemUnavailable:
        err = self.code.cell_errors.get(item)
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
        # A model given (uploaded best_model.npz, nbgrader's kernel) was trained with the student's
        # code: where that calls an item which failed its own checks, the item trains again here.
        replaced = {i: self.replaced(i) for i in TRAINING_ITEMS if i in self.wanted}
        given = {i: p for i, p in (self.options.params or {}).items() if not replaced.get(i)}
        models: dict[str, Any] = {i: given[i] for i in TRAINING_ITEMS if i in given}
        todo = [i for i in TRAINING_ITEMS if i in self.wanted and i not in given]
        models.update({i: self.sub.problems[i] for i in todo if i in self.sub.problems})
        todo = [i for i in todo if i not in models]
        if not todo:
            return models
        # A model given (uploaded best_model.npz, nbgrader's kernel) is not trained again.
        last = max(TRAINING_ITEMS.index(i) for i in todo)  # the cells after the last one wanted need not run
        everything = tuple(
            i.name
            for i in ITEMS
            if i.kind == "code" and i.name not in given and i.name not in TRAINING_ITEMS[last + 1 :]
        )
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
        self.training = session
        self._stand_ins(
            session, tuple(dict.fromkeys(d for i in todo for d in replaced[i])), first_training_cell(session.cells)
        )

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

    def close(self) -> None:
        if self.code is not None:
            self.code.close()
        self.reference.close()

    def cell_seconds(self) -> dict[str, float]:
        """How long each cell ran, by cell id (both workers)."""
        return {
            cell: round(t, 3)
            for session in (self.code, self.training)
            if session is not None
            for cell, t in session.cell_seconds.items()
        }
