"""The record of a hyperparameter search.

Record every configuration you train, with its own accuracies, and keep the best model::

    log = SearchLog()
    for config in log.progress(configs):          # configs: a list of dicts
        model = TwoLayerNet(hidden_dim=config["hidden_dim"], reg=config["reg"])
        solver = Solver(model, data, optim_config={"learning_rate": config["learning_rate"]},
                        num_epochs=config["num_epochs"], verbose=False)
        solver.train()
        log.record(model, solver, **config)
    print(log)                                   # or just `log` in a notebook
    best_model = log.best_model

The accuracies of a row are read from the solver passed with it, so each row shows
the accuracy of its own configuration, and every configuration is recorded, not only
the ones that improved on the best so far.
"""

from __future__ import annotations

import html
import math
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

__all__ = ["SearchLog"]

_ACC_KEYS = ("train_acc", "val_acc")


def _fmt(value: Any) -> str:
    """A short text for a hyperparameter value: 1e-3 -> '1e-3', 2.5e-4 -> '2.5e-4', 0.25 -> '0.25'."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        v = float(value)
        if v == 0.0:
            return "0"
        if 1e-2 <= abs(v) < 1e4:
            return f"{v:.4g}"  # 0.25, 0.01, 100, 1500
        mantissa, exponent = f"{v:.2e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}e{int(exponent)}"
    return str(value)


class SearchLog:
    """
    The record of a hyperparameter search: every configuration tried, in order, with
    its train and validation accuracy, and the best model.

    Attributes:
    - results: A list of dicts, one per configuration in the order tried, with the
      hyperparameters passed to record() and the keys 'train_acc' and 'val_acc'
    - best_model: The model with the highest validation accuracy (None before the
      first record(); the first one wins ties)
    - best_val_acc: Its validation accuracy (-1.0 before the first record())
    - best_config: Its hyperparameters (a dict, without the accuracies)
    """

    def __init__(self) -> None:
        self.results: list[dict[str, Any]] = []
        self.best_model: Any = None
        self.best_val_acc: float = -1.0
        self.best_config: dict[str, Any] | None = None
        self._best_index: int | None = None

    def record(
        self,
        model: Any,
        solver: Any,
        *,
        learning_rate: float | None = None,
        reg: float | None = None,
        hidden_dim: int | None = None,
        num_epochs: int | None = None,
        **other: Any,
    ) -> dict[str, Any]:
        """
        Record one trained configuration.

        Inputs:
        - model: The trained model (kept as best_model if it is the best so far)
        - solver: The Solver that trained it; its best_val_acc is the validation
          accuracy of the row (the accuracy of the params the Solver left in the model)
        - learning_rate, reg, hidden_dim, num_epochs, **other: The hyperparameters of
          this configuration (None values are left out)

        Returns:
        - row: The dict appended to results: the hyperparameters, 'train_acc' (the
          training accuracy at the check where the validation accuracy was best, i.e.
          of the params left in the model) and 'val_acc'.
        """
        val_hist = list(getattr(solver, "val_acc_history", None) or [])
        train_hist = list(getattr(solver, "train_acc_history", None) or [])
        val_acc = getattr(solver, "best_val_acc", None)
        if val_acc is None:
            if not val_hist:
                raise ValueError(
                    "solver has no best_val_acc nor val_acc_history: call solver.train() "
                    "before log.record(model, solver, ...)"
                )
            val_acc = max(val_hist)
        val_acc = float(val_acc)
        if train_hist and len(train_hist) == len(val_hist) and val_acc in val_hist:
            train_acc = float(train_hist[val_hist.index(val_acc)])
        elif train_hist:
            train_acc = float(train_hist[-1])
        else:
            train_acc = float("nan")

        config = {
            "learning_rate": learning_rate,
            "reg": reg,
            "hidden_dim": hidden_dim,
            "num_epochs": num_epochs,
            **other,
        }
        config = {k: v for k, v in config.items() if v is not None}
        clash = [k for k in config if k in _ACC_KEYS]
        if clash:
            raise ValueError(f"{', '.join(clash)} is computed from the solver: do not pass it")
        row = {**config, "train_acc": train_acc, "val_acc": val_acc}
        self.results.append(row)
        if self.best_model is None or val_acc > self.best_val_acc:
            self.best_model = model
            self.best_val_acc = val_acc
            self.best_config = dict(config)
            self._best_index = len(self.results) - 1
        return row

    def progress(self, configs: Iterable[dict[str, Any]], *, disable: bool = False) -> Iterator[dict[str, Any]]:
        """
        Iterate over the configurations with a progress bar ("search") that shows the
        best validation accuracy so far.

        Inputs:
        - configs: An iterable of configuration dicts (a list gives the bar a length)
        - disable: If True, show no progress bar

        Yields:
        - Each configuration dict, in order.
        """
        bar = tqdm(configs, desc="search", unit="config", mininterval=0.5, disable=disable, dynamic_ncols=True)
        try:
            for config in bar:
                yield config
                if self.results and not disable:
                    bar.set_postfix_str(f"best val acc {self.best_val_acc:.4f}", refresh=False)
        finally:
            bar.close()

    def _columns(self) -> list[str]:
        columns: list[str] = []
        for row in self.results:
            for k in row:
                if k not in _ACC_KEYS and k not in columns:
                    columns.append(k)
        return columns + list(_ACC_KEYS)

    def _sorted_rows(self) -> list[tuple[int, dict[str, Any]]]:
        def key(item: tuple[int, dict[str, Any]]) -> tuple[float, int]:
            i, row = item
            v = row["val_acc"]
            return (float("inf") if math.isnan(v) else -v, i)  # nan last, ties in order tried

        return sorted(enumerate(self.results), key=key)

    def _cells(self, row: dict[str, Any], columns: list[str]) -> list[str]:
        cells = []
        for c in columns:
            if c in _ACC_KEYS:
                cells.append(f"{row[c]:.4f}")
            else:
                cells.append(_fmt(row[c]) if c in row else "")
        return cells

    def table(self) -> str:
        """
        The results as a text table sorted by validation accuracy (best first).

        Returns:
        - A string: one row per configuration with its number in the order tried,
          its hyperparameters, train and validation accuracy; the best is marked *.
        """
        if not self.results:
            return "(no configurations recorded)"
        columns = self._columns()
        header = ["", "#"] + columns
        rows = [
            ["*" if i == self._best_index else "", str(i + 1)] + self._cells(row, columns)
            for i, row in self._sorted_rows()
        ]
        widths = [max(len(r[j]) for r in [header] + rows) for j in range(len(header))]

        def line(cells: list[str]) -> str:
            return "  ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

        sep = "  ".join("-" * w for w in widths)
        return "\n".join([line(header), sep] + [line(r) for r in rows])

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        if not self.results:
            return "SearchLog(0 configurations)"
        return (
            f"SearchLog({len(self.results)} configurations, best val_acc "
            f"{self.best_val_acc:.4f} with {self.best_config})"
        )

    def __len__(self) -> int:
        return len(self.results)

    def _repr_html_(self) -> str:
        """The results as an HTML table sorted by validation accuracy (for Jupyter)."""
        if not self.results:
            return "<p>(no configurations recorded)</p>"
        columns = self._columns()
        head = "".join(f"<th>{html.escape(c)}</th>" for c in ["", "#"] + columns)
        body = []
        for i, row in self._sorted_rows():
            best = i == self._best_index
            cells = ["*" if best else "", str(i + 1)] + self._cells(row, columns)
            tds = "".join(f"<td>{html.escape(c)}</td>" for c in cells)
            style = ' style="font-weight: bold"' if best else ""
            body.append(f"<tr{style}>{tds}</tr>")
        return (
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody>"
            f"</table><p>{len(self.results)} configurations, best val_acc "
            f"{self.best_val_acc:.4f} (*)</p>"
        )

    def save_best_params(self, path: str | os.PathLike[str]) -> Path:
        """
        Save the params of the best model with np.savez (no pickle), atomically.

        Inputs:
        - path: The file to write; ".npz" is appended if missing (as np.savez does)

        Returns:
        - The path written. Load it with np.load(path, allow_pickle=False).
        """
        if self.best_model is None:
            raise ValueError("no configuration recorded yet: call log.record(model, solver, ...)")
        return save_params(self.best_model, path)


def save_params(model: Any, path: str | os.PathLike[str]) -> Path:
    """
    Save ``model.params`` with np.savez (no pickle), atomically, for the grader.

    Inputs:
    - model: A model with a dict ``params`` of numpy arrays
    - path: The file to write; ".npz" is appended if missing (as np.savez does)

    Returns:
    - The path written. Load it with np.load(path, allow_pickle=False).
    """
    params = getattr(model, "params", None)
    if not isinstance(params, dict) or not params:
        raise ValueError("the model has no params dict to save (is best_model set?)")
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp_", suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **{k: np.asarray(v) for k, v in params.items()})
        os.replace(tmp, path)
    except BaseException:  # deliberate: no partial file left, then re-raise
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return path
