"""A sandboxed worker with a submission's cells run in it, restarted when student code kills it.

Two kinds per submission: one with the answer cells of the items graded by calling code (no
dataset), and one that also runs the set-up and training cells on the dataset, to read the
trained models.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autograder.course.items import ITEMS
from autograder.sandbox import Limits
from twolayer.checks.findings import Finding
from twolayer.checks.targets import StudentCodeError
from twolayer.data import find_cifar10

from .remote import WorkerDied, WorkerProcess
from .stand_ins import StandIns
from .target import RemoteTarget

ITEM_OF_FUNCTION = {item.defines: item.name for item in ITEMS if item.defines}


class Session:
    """A worker with the submission's code loaded."""

    def __init__(
        self,
        cells: list[tuple[str, str]],
        limits: Limits,
        *,
        env: dict[str, str],
        readonly: dict[str, Path],
        timeout: float,
        cell_timeout: float,
        budgets: dict[str, float] | None = None,
    ):
        self.cells, self.limits = cells, limits
        self.env, self.readonly, self.timeout, self.cell_timeout = env, readonly, timeout, cell_timeout
        self.budgets = dict(budgets or {})  # cell id -> its time budget (others: cell_timeout)
        self.cell_errors: dict[str, str] = {}  # cell id -> what went wrong running it
        self.cell_seconds: dict[str, float] = {}  # cell id -> how long it ran (the last time)
        self.skip: set[str] = set()  # cells that killed or hung the worker
        self.worker: WorkerProcess | None = None
        self.target: RemoteTarget | None = None
        # The grader's correct versions in place of the student's: installed before the cell
        # ``stand_ins_at`` (None: after the last cell, or at once in a worker already running).
        self.stand_ins: StandIns | None = None
        self.stand_ins_at: str | None = None

    def use_stand_ins(self, stand_ins: StandIns, at: str | None = None) -> None:
        self.stand_ins, self.stand_ins_at = stand_ins, at
        if at is None and self.worker is not None and not self.worker.dead:
            self.target.install_stand_ins(stand_ins)

    def start(self, after: Callable[[str], None] | None = None) -> None:
        """Start a worker and run the cells; ``after(cell_id)`` is called after each one."""
        while True:
            self.close()
            self.worker = WorkerProcess(limits=self.limits, readonly=self.readonly, env=self.env, timeout=self.timeout)
            self.target = RemoteTarget(self.worker)
            if self._run_cells(after):
                return

    def _run_cells(self, after: Callable[[str], None] | None) -> bool:
        """False when a cell killed or hung the worker and cells after it are left to run: it is
        skipped from then on."""
        todo = [(cell_id, source) for cell_id, source in self.cells if cell_id not in self.skip]
        for i, (cell_id, source) in enumerate(todo):
            if self.stand_ins is not None and cell_id == self.stand_ins_at:
                self.target.install_stand_ins(self.stand_ins)
            budget = self.budgets.get(cell_id, self.cell_timeout)
            started = time.monotonic()
            try:
                reply = self.target.exec_cell(cell_id, source, timeout=budget)
            except WorkerDied as err:
                self.cell_seconds[cell_id] = time.monotonic() - started
                self.cell_errors[cell_id] = self._died_in(cell_id, err, budget)
                self.skip.add(cell_id)
                return i == len(todo) - 1  # the last cell: nothing left to run again
            self.cell_seconds[cell_id] = time.monotonic() - started
            if not reply.get("ok"):
                self.cell_errors[cell_id] = reply.get("error", "failed")
            if after is not None:
                after(cell_id)
        if self.stand_ins is not None and self.stand_ins_at is None:
            self.target.install_stand_ins(self.stand_ins)
        return True

    def _died_in(self, cell_id: str, err: WorkerDied, budget: float) -> str:
        if err.kind == "timeout" and cell_id in self.budgets:
            return (
                f"used up its time budget of {budget:.0f} s and was stopped (the course's budgets are in "
                "twolayer/assignment.toml; the notebook's set-up cell prints them)"
            )
        return f"running the cell {err}"

    def alive_target(self) -> RemoteTarget:
        """The target, on a fresh worker if student code killed the last one."""
        if self.worker is None or self.worker.dead:
            self.start()
        return self.target

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()
            self.worker = None

    def output(self) -> str:
        return self.worker.output_tail() if self.worker else ""


class StudentCode:
    """The submission's code as a check calls it (a ``twolayer.checks.targets.Target``): on the session's
    worker, started again when student code killed the last one. A function whose item already
    killed its worker (``broken``: item -> why) fails at once instead of killing the next one, so
    that a backward pass is checked with the starter's cache (``forward_cache``) and a broken
    forward pass costs only its own points (a fork bomb in affine_forward took affine_backward's
    10 points with it when the check went on with the dead worker)."""

    def __init__(self, session: Session, broken: dict[str, Finding]):
        self._session, self._broken = session, broken

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        item = ITEM_OF_FUNCTION.get(name)
        if item in self._broken:
            raise StudentCodeError(self._broken[item].message.removeprefix("your code "), "crash")
        target = self._session.alive_target()
        try:
            return target.call(name, *args, **kwargs)
        except StudentCodeError:
            # What a failed call left running would fail the next one: that worker is stopped
            # (the next call gets a fresh one) and the function's item counts as broken.
            if target.worker.stopped_for_what_it_left() and item is not None:
                self._broken.setdefault(item, Finding(False, f"{item} checks", f"your code {target.worker.dead}"))
            raise

    def __getattr__(self, name: str) -> Any:  # has, new, method, get, set: on a live worker
        return getattr(self._session.alive_target(), name)


SANDBOX_CIFAR10 = "/run/data/cifar-10-batches-py"  # where a worker finds CIFAR-10 (a neutral path)


def dataset_env(dataset: str) -> tuple[dict[str, str], dict[str, Path]]:
    """What a worker needs to load ``dataset``: its environment and the folders it reads
    ({path inside the sandbox: host folder})."""
    env = {"TWO_LAYER_NET_DATASET": dataset}
    readonly: dict[str, Path] = {}
    if dataset == "cifar10":
        env["CIFAR10_DIR"] = SANDBOX_CIFAR10
        readonly[SANDBOX_CIFAR10] = find_cifar10()
    return env, readonly


def not_implemented(error: str) -> bool:
    return "NotImplementedError" in error or "not implemented" in error
