"""Grading one submission: run its code in sandboxed workers, check every item, score cells.

Scores are per nbgrader grade cell (``<item>_check`` visible, ``<item>_hidden`` hidden), all or
nothing, exactly as nbgrader scores a test cell, so that both graders agree.
"""
from __future__ import annotations

import os
import secrets
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from twolayer import checks as C
from twolayer.config import ITEMS, ITEMS_BY_NAME, dataset_name, points, thresholds
from twolayer.data import find_cifar10, load_dataset

from . import items as hidden_items
from .notebook import TRAINING_ITEMS, Submission, program, read_submission
from .remote import RemoteTarget, WorkerDied, WorkerProcess
from .sandbox import GiB, Limits

LAYER_ITEMS = ("affine_forward", "affine_backward", "relu_forward", "relu_backward")
CODE_ITEMS = tuple(i.name for i in ITEMS if i.kind == "code" and i.name not in TRAINING_ITEMS)
_DATASETS: dict[tuple[str, str | None], dict[str, Any]] = {}
_DATASETS_LOCK = threading.Lock()


def _grading_data(dataset: str) -> dict[str, Any]:
    """What the grader needs of the dataset to score trained parameters, loaded once per process
    (CIFAR-10 takes about 0.4 s to load, and a class is graded by one process), read-only."""
    key = (dataset, os.environ.get("CIFAR10_DIR"))
    with _DATASETS_LOCK:
        if key not in _DATASETS:
            data = load_dataset(dataset)
            # Copies: the splits can be views of the whole training array (600 MB for CIFAR-10).
            kept = {k: np.array(data[k]) for k in ("X_val", "y_val", "X_test", "y_test")}
            for array in kept.values():
                array.setflags(write=False)
            _DATASETS[key] = {**kept, "class_names": list(data["class_names"])}
        return _DATASETS[key]


DEPENDS = {"two_layer_net": ("affine_forward", "affine_backward", "relu_forward", "relu_backward", "softmax_loss")}


@dataclass
class Options:
    dataset: str | None = None
    seed: int | None = None
    item_timeout: float = 60.0            # one item's checks
    cell_timeout: float = 900.0           # one training cell (solver, search)
    items: tuple[str, ...] | None = None  # grade only these items
    params: dict[str, dict[str, np.ndarray]] | None = None  # trained params given by nbgrader's kernel
    threads: int = 1


@dataclass
class CellResult:
    grade_id: str
    item: str
    visibility: str        # "visible", "hidden" or "manual"
    max_points: float
    points: float | None   # None: graded by hand
    passed: bool | None
    findings: list[dict] = field(default_factory=list)
    output: str = ""


@dataclass
class SubmissionResult:
    path: str
    student: str
    status: str = "graded"          # "graded" or "ungraded"
    reason: str = ""
    dataset: str = ""
    seed: int = 0
    cells: list[CellResult] = field(default_factory=list)
    accuracies: dict[str, dict[str, float]] = field(default_factory=dict)
    manual_answers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return float(sum(c.points or 0 for c in self.cells if c.visibility != "manual"))

    @property
    def max_score(self) -> float:
        return float(sum(c.max_points for c in self.cells if c.visibility != "manual"))

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["score"], d["max_score"] = self.score, self.max_score
        return d


def student_name(path: Path) -> str:
    """nbgrader's layout is submitted/<student>/<assignment>/<notebook>: take <student>."""
    parts = path.resolve().parts
    if len(parts) >= 3 and parts[-2] == "two_layer_net":
        return parts[-3]
    return path.stem if path.stem != "two_layer_net" else path.parent.name


def _cell_results(item: str, parts: dict[str, list[C.Finding]]) -> list[CellResult]:
    pts = points()
    out = []
    for grade_id in ITEMS_BY_NAME[item].test_cells:
        part = "visible" if grade_id.endswith("_check") else "hidden"
        findings = parts.get(part, [])
        passed = bool(findings) and all(f.passed for f in findings)
        out.append(CellResult(grade_id, item, part, pts[grade_id], pts[grade_id] if passed else 0.0, passed,
                              [asdict(f) for f in findings]))
    return out


def _failed(item: str, message: str, hint: str = "") -> dict[str, list[C.Finding]]:
    return {part: [C.Finding(False, f"{item} could be checked", message, hint)] for part in ("visible", "hidden")}


class Session:
    """A worker with the submission's code loaded; restarted when student code kills it."""

    def __init__(self, sub: Submission, cells: list[tuple[str, str]], limits: Limits, *,
                 env: dict[str, str], readonly: list[Path], timeout: float, cell_timeout: float):
        self.sub, self.cells, self.limits = sub, cells, limits
        self.env, self.readonly, self.timeout, self.cell_timeout = env, readonly, timeout, cell_timeout
        self.cell_errors: dict[str, str] = {}
        self.skip: set[str] = set()
        self.worker: WorkerProcess | None = None
        self.target: RemoteTarget | None = None

    def start(self, after: Any = None) -> None:
        """Start a worker and run the cells; ``after(cell_id)`` is called after each one."""
        self.close()
        self.worker = WorkerProcess(limits=self.limits, readonly=self.readonly, env=self.env, timeout=self.timeout)
        self.target = RemoteTarget(self.worker)
        for cell_id, source in self.cells:
            if cell_id in self.skip:
                continue
            try:
                reply = self.target.exec_cell(cell_id, source, timeout=self.cell_timeout)
            except WorkerDied as err:
                # This cell killed or hung the process: run everything else without it.
                self.cell_errors[cell_id] = f"running the cell {str(err)}"
                self.skip.add(cell_id)
                return self.start(after)
            if not reply.get("ok"):
                self.cell_errors[cell_id] = reply.get("error", "failed")
            if after is not None:
                after(cell_id)

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()
            self.worker = None

    def output(self) -> str:
        return self.worker.output_tail() if self.worker else ""


def _cifar_env(dataset: str) -> tuple[dict[str, str], list[Path]]:
    env = {"TWO_LAYER_NET_DATASET": dataset}
    readonly: list[Path] = []
    if dataset == "cifar10":
        folder = find_cifar10()
        env["CIFAR10_DIR"] = str(folder)
        readonly.append(folder)
    return env, readonly


def grade_submission(path: str | Path, options: Options | None = None) -> SubmissionResult:
    """Grade one notebook. Never raises for anything the submission does."""
    options = options or Options()
    start = time.monotonic()
    path = Path(path)
    dataset = dataset_name(options.dataset)
    seed = options.seed if options.seed is not None else secrets.randbits(32)
    result = SubmissionResult(str(path), student_name(path), dataset=dataset, seed=seed)
    sub = read_submission(path)
    if sub.error:
        result.status, result.reason = "ungraded", sub.error
        result.seconds = time.monotonic() - start
        return result
    if sub.kernel and sub.kernel not in ("python3", "python", "two_layer_net_sandbox"):
        result.notes.append(f"the notebook names the kernel {sub.kernel!r}; it was graded with the course's Python")
    wanted = options.items or tuple(i.name for i in ITEMS)
    rng = np.random.default_rng(seed)
    env, readonly = _cifar_env(dataset)
    parts: dict[str, dict[str, list[C.Finding]]] = {}

    # Phase 1: layers, losses, network, inline-question choices: one worker, no data.
    code_items = tuple(i for i in CODE_ITEMS if i in wanted)
    if code_items:
        session = Session(sub, program(sub, CODE_ITEMS, with_data=False), Limits(memory_bytes=4 * GiB, cpu_seconds=600),
                          env=env, readonly=readonly, timeout=options.item_timeout, cell_timeout=options.item_timeout)
        try:
            session.start()
            for item in code_items:
                try:
                    parts[item] = _grade_code_item(item, sub, session, rng)
                except C.StudentCodeError as err:  # e.g. the worker died while being asked what it defines
                    parts[item] = _failed(item, f"your code {err}")
                    session.start()
        finally:
            session.close()

    # Phase 2: training and search, in a worker with the dataset.
    training = tuple(i for i in TRAINING_ITEMS if i in wanted)
    if training:
        parts.update(_grade_training(training, sub, options, dataset, env, readonly, result))

    for item in ITEMS:
        if item.name not in wanted:
            continue
        if item.kind == "markdown":
            pts = points()[item.name]
            result.cells.append(CellResult(item.name, item.name, "manual", pts, None, None))
            result.manual_answers[item.name] = sub.answers.get(item.name, f"({sub.problems.get(item.name, 'missing')})")
        else:
            result.cells.extend(_cell_results(item.name, parts.get(item.name, {})))
    _explain_dependencies(result)
    result.seconds = time.monotonic() - start
    return result


def _grade_code_item(item: str, sub: Submission, session: Session, rng: np.random.Generator) -> dict[str, list[C.Finding]]:
    if item in sub.problems:
        return _failed(item, sub.problems[item])
    defines = ITEMS_BY_NAME[item].defines
    if item in session.cell_errors:
        err = session.cell_errors[item]
        hint = C.HINTS["not_implemented"] if "NotImplementedError" in err or "not implemented" in err else ""
        if not _has(session, defines):
            return _failed(item, f"your `{item}` cell {err}", hint)
    if not _has(session, defines):
        others = [n for n in sub.defined_names(item) if n != defines]
        extra = f" (the cell defines {', '.join('`' + n + '`' for n in others)} instead: keep the given name)" if others else ""
        return _failed(item, f"`{defines}` is not defined by its answer cell{extra}")
    out: dict[str, list[C.Finding]] = {}
    for part in ("visible", "hidden"):
        if part == "visible" and not any(g.endswith("_check") for g in ITEMS_BY_NAME[item].test_cells):
            continue
        try:
            if part == "visible":
                out[part] = C.visible_findings(item, session.target)
            else:
                out[part] = hidden_items.HIDDEN[item](session.target, rng)
        except WorkerDied as err:
            out[part] = [C.Finding(False, f"{item} checks", f"your code {err}")]
            session.start()  # a fresh worker for what follows
    return out


def _has(session: Session, name: str) -> bool:
    try:
        return session.target.has(name)
    except WorkerDied:
        session.start()
        return session.target.has(name)


def _grade_training(training: tuple[str, ...], sub: Submission, options: Options, dataset: str,
                    env: dict[str, str], readonly: list[Path], result: SubmissionResult) -> dict[str, dict[str, list[C.Finding]]]:
    data = _grading_data(dataset)
    limits = thresholds(dataset)
    threshold = {"solver": limits["solver_val_acc"], "hyperparameter_search": limits["search_val_acc"]}
    variable = {"solver": "model", "hyperparameter_search": "best_model"}
    params: dict[str, Any] = dict(options.params or {})
    parts: dict[str, dict[str, list[C.Finding]]] = {}
    problems: dict[str, str] = {}
    todo = [i for i in training if i not in params]
    for item in todo:
        if item in sub.problems:
            problems[item] = sub.problems[item]
    if any(i not in problems for i in todo):
        needed = tuple(i.name for i in ITEMS if i.kind == "code")
        session = Session(sub, program(sub, needed, with_data=True),
                          Limits(memory_bytes=12 * GiB, cpu_seconds=int(options.cell_timeout * 4), threads=options.threads),
                          env={**env, "OPENBLAS_NUM_THREADS": str(options.threads)}, readonly=readonly,
                          timeout=options.item_timeout, cell_timeout=options.cell_timeout)

        def collect(cell_id: str) -> None:
            if cell_id in todo and cell_id not in problems:
                try:
                    model = session.target.get(None, variable[cell_id])
                    params[cell_id] = session.target.get(model, "params") if isinstance(model, C.Handle) else None
                except (C.StudentCodeError, WorkerDied) as err:
                    problems[cell_id] = f"`{variable[cell_id]}` {err}"

        try:
            session.start(after=collect)
        finally:
            result.notes += [f"{cid}: {msg}" for cid, msg in session.cell_errors.items() if cid not in todo]
            for item in todo:
                if item in session.cell_errors and item not in problems:
                    err = session.cell_errors[item]
                    if "NotImplementedError" in err or "not implemented" in err:
                        problems[item] = f"your `{item}` cell is not done yet ({err})"
                    elif item not in params or params[item] is None:
                        problems[item] = f"your `{item}` cell {err}"
            session.close()
    for item in training:
        if item in problems:
            parts[item] = {"hidden": [C.Finding(False, f"{item} could be checked", problems[item])]}
            continue
        value = params.get(item)
        if value is None:
            parts[item] = {"hidden": [C.Finding(False, f"{item} could be checked",
                                                f"`{variable[item]}` is not a trained model (is it still None?)")]}
            continue
        findings, acc = hidden_items.check_trained(item, value, data, threshold[item])
        parts[item] = {"hidden": findings}
        if acc:
            result.accuracies[item] = acc
    return parts


def _explain_dependencies(result: SubmissionResult) -> None:
    """A network that fails because a layer it uses fails: say so (the layer is graded on its own)."""
    failed_items = {c.item for c in result.cells if c.passed is False}
    for item, deps in DEPENDS.items():
        if item in failed_items:
            broken = [d for d in deps if d in failed_items]
            if broken:
                note = (f"{item} calls your {', '.join(broken)}, which also fail(s) their own checks: fix "
                        f"{'it' if len(broken) == 1 else 'them'} first, then check {item} again")
                for cell in result.cells:
                    if cell.item == item and not cell.passed:
                        cell.findings.append(asdict(C.Finding(False, "dependencies", note)))
