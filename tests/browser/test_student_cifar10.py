"""The student's loop on CIFAR-10, in a real browser, timed (`make test-browser-cifar10`).

JupyterLab serves a fresh copy of the student version with ``TWO_LAYER_NET_DATASET=cifar10`` and
``CIFAR10_DIR`` (the data ``../shared`` builds, `make cifar10`). Through the page only:

1. open ``two_layer_net.ipynb``, run the two set-up cells (Shift+Enter), type affine_forward's
   answer, run it and its check cell: timed from opening the page to "all checks passed";
2. type every other answer cell (the source notebook's solutions, without nbgrader's markers, the
   two inline questions' markdown too), save (the file must hold them as typed), and run
   everything above the Solver cell (Run → Run All Above Selected Cell): every check cell passes;
3. the Solver cell and the search cell, each timed from its Shift+Enter to the kernel idle again,
   with screenshots while they train (their tqdm progress bars must be on the page while the
   cell runs) and when they are done; the cells after them must report a validation accuracy
   at or above the course's CIFAR-10 thresholds, and both cells must finish within the course's
   CIFAR-10 time budgets (assignment.toml, [budgets.cifar10]).

The seconds go to test-artifacts/browser/cifar10-timings.json (written after each step, so a
failing run still leaves what it measured), the screenshots to cifar10-*.png beside it. It trains
for minutes, so `make test-browser` (CI) skips it: conftest.py runs it only when asked for by itself.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.browser_cifar10]

# Without Playwright the module is skipped, with the reason (conftest.py skips without Chromium).
pytest.importorskip(
    "playwright.sync_api",
    reason="Playwright is not installed in this Python: run "
    "`bash tools/browser_setup.sh` (or pip install '.[browser]')",
)

from labpage import (  # noqa: E402 - after the skip: it imports Playwright
    CELLS,
    KERNEL_STATUS,
    RAN,
    RUNNING,
    Steps,
    cell,
    cell_index,
    input_prompt,
    menu,
    open_notebook,
    output_text,
    outputs,
    progress_bars,
    replace_cell_source,
    replace_markdown_source,
    select_cell,
    solution_of,
    wait_kernel_idle,
)
from playwright.sync_api import Page, expect  # noqa: E402 - after the skip above

from twolayer.config import thresholds, training_budgets  # noqa: E402

NOTEBOOK = "two_layer_net.ipynb"
DATASET = "cifar10"
TIMINGS = "cifar10-timings.json"


def answer_cells(notebook: Path) -> list[tuple[str, str]]:
    """(grade_id, cell type) of every answer cell of the student notebook, in order."""
    cells = json.loads(notebook.read_text())["cells"]
    return [
        (c["metadata"]["nbgrader"]["grade_id"], c["cell_type"])
        for c in cells
        if c.get("metadata", {}).get("nbgrader", {}).get("solution")
    ]


class Record:
    """The measurements, rewritten to ``cifar10-timings.json`` after each one."""

    def __init__(self, path: Path, **fields):
        self.path, self.data = path, dict(fields)
        self.save()

    def __setitem__(self, key: str, value) -> None:
        self.data[key] = value
        self.save()

    def save(self) -> None:
        self.path.write_text(json.dumps(self.data, indent=1) + "\n")


def run_timed(page: Page, steps: Steps, loc, name: str, bar_label: str, limit: float) -> float:
    """Shift+Enter on the selected cell ``loc``; the seconds until its prompt shows a number and
    the kernel is idle again. While it runs, its progress bar must be on the page (screenshot
    ``cifar10-<name>-training``); when it is done, ``cifar10-<name>-done``."""
    prompt = input_prompt(loc)
    start = time.monotonic()
    page.keyboard.press("Shift+Enter")
    expect(prompt).to_have_text(RUNNING, timeout=30_000)
    bar = progress_bars(loc).first
    bar.scroll_into_view_if_needed(timeout=120_000)
    expect(bar).to_be_visible(timeout=120_000)
    expect(loc.locator(".jp-OutputArea")).to_contain_text(bar_label)
    # Once the bar has moved ("57/1225 [" or "1/4 [", tqdm spaces them with U+2007), the screenshot
    # shows training under way.
    expect(loc.locator(".jp-OutputArea")).to_contain_text(re.compile(r"\b[1-9]\d*/\d+\s\["), timeout=limit * 1000)
    steps.shot(f"cifar10-{name}-training")
    # Taken while the cell ran: its prompt still says [*] and the kernel is busy after the shot.
    assert (prompt.text_content() or "").strip() == RUNNING, f"{name} finished before its screenshot"
    assert page.locator(KERNEL_STATUS).get_attribute("data-status") == "busy"
    expect(prompt).to_have_text(RAN, timeout=(2 * limit + 120) * 1000)
    wait_kernel_idle(page)
    took = time.monotonic() - start
    steps.mark(f"{name} cell (Shift+Enter to kernel idle)")
    expect(bar).to_be_visible()  # the finished bar stays in the output
    loc.locator(".jp-OutputArea").scroll_into_view_if_needed()
    steps.shot(f"cifar10-{name}-done")
    return took


def accuracy(text: str, pattern: str) -> float:
    found = re.search(pattern, text)
    assert found, f"no {pattern!r} in the output:\n{text}"
    return float(found.group(1))


def test_student_trains_on_cifar10_in_the_browser(cifar10_lab_server, page, student_folder, artifacts, cifar10_dir):
    notebook = student_folder / NOTEBOOK
    n_cells = len(json.loads(notebook.read_text())["cells"])
    at = {grade_id: cell_index(notebook, grade_id) for grade_id, _ in answer_cells(notebook)}
    for grade_id in ("setup_imports", "setup_data", "affine_forward_check", "two_layer_net_hidden"):
        at[grade_id] = cell_index(notebook, grade_id)
    for grade_id in ("solver_results", "search_setup", "search_results", "inline_question_2_choices_check"):
        at[grade_id] = cell_index(notebook, grade_id)
    budgets, limits = training_budgets(DATASET), thresholds(DATASET)
    steps = Steps(page, artifacts, log="timings-cifar10.log")
    record = Record(
        artifacts / TIMINGS,
        dataset=DATASET,
        cifar10_dir=str(cifar10_dir),
        started_at=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        cpus=os.cpu_count(),
        load_average_at_start=[round(x, 2) for x in os.getloadavg()],
        blas_threads=os.environ.get("OPENBLAS_NUM_THREADS", "(OpenBLAS default: one per core)"),
        budgets_seconds={"solver": budgets["solver"], "hyperparameter_search": budgets["hyperparameter_search"]},
        thresholds=limits,
    )

    # 1. Open the notebook, run the set-up cells, answer affine_forward and run its check.
    start = time.monotonic()
    open_notebook(page, cifar10_lab_server.url(f"lab/tree/{NOTEBOOK}"), n_cells)
    steps.shot("cifar10-01-opened")
    select_cell(cell(page, at["setup_imports"]))
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Shift+Enter")  # setup_data: loads CIFAR-10
    answer = cell(page, at["affine_forward"], contains="def affine_forward(x, w, b):")
    replace_cell_source(page, answer, solution_of("affine_forward"))
    page.keyboard.press("Shift+Enter")
    expect(page.locator(CELLS).nth(at["affine_forward_check"])).to_have_class(re.compile(r"\bjp-mod-active\b"))
    page.keyboard.press("Shift+Enter")
    check = page.locator(CELLS).nth(at["affine_forward_check"])
    expect(check.locator(".jp-OutputArea")).to_contain_text("affine_forward: all checks passed", timeout=300_000)
    record["open_to_first_passing_check_seconds"] = round(time.monotonic() - start, 1)
    steps.mark("opened to the first passing check")
    wait_kernel_idle(page)
    data_text = output_text(cell(page, at["setup_data"]))
    assert "Dataset: cifar10" in data_text and "X_train: (49000, 3, 32, 32)" in data_text, data_text
    assert f"the Solver cell {budgets['solver']:.0f} s" in data_text, data_text  # the budgets students see
    cell(page, at["affine_forward_check"])
    steps.shot("cifar10-02-first-check-passing")

    # 2. Every other answer, typed; saved as typed; everything above the Solver cell run.
    for grade_id, cell_type in answer_cells(notebook):
        if grade_id == "affine_forward":
            continue
        loc = cell(page, at[grade_id])
        if cell_type == "markdown":
            replace_markdown_source(page, loc, solution_of(grade_id))
            page.keyboard.press("Shift+Enter")  # renders it; nothing runs in the kernel
        else:
            replace_cell_source(page, loc, solution_of(grade_id))
    page.keyboard.press("Escape")
    page.keyboard.press("ControlOrMeta+s")
    deadline = time.monotonic() + 30
    while True:
        saved = json.loads(notebook.read_text())["cells"]
        typed = {
            grade_id: "".join(saved[at[grade_id]]["source"]) == solution_of(grade_id)
            for grade_id, _ in answer_cells(notebook)
        }
        if all(typed.values()) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert all(typed.values()), f"the saved notebook does not hold these answers as typed: {typed}"
    steps.mark("answers typed and saved")

    select_cell(cell(page, at["solver"]))
    menu(page, "Run", "Run All Above Selected Cell")
    expect(input_prompt(page.locator(CELLS).nth(at["two_layer_net_hidden"]))).to_have_text(RAN, timeout=600_000)
    wait_kernel_idle(page)
    steps.mark("cells above the Solver run")
    cells = json.loads(notebook.read_text())["cells"]
    for i in range(at["solver"]):
        grade_id = cells[i].get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        if grade_id.endswith("_check"):
            text = output_text(cell(page, i))
            assert "all checks passed" in text and "checks failed" not in text, f"{grade_id}:\n{text}"
            assert "Traceback" not in text, f"{grade_id}:\n{text}"

    # 3. The Solver cell, timed; then the cell that reports its validation accuracy.
    solver = cell(page, at["solver"])
    select_cell(solver)
    took = run_timed(page, steps, solver, "03-solver", "train", budgets["solver"])
    record["solver_cell_seconds"] = round(took, 1)
    results = page.locator(CELLS).nth(at["solver_results"])
    expect(results).to_have_class(re.compile(r"\bjp-mod-active\b"))
    page.keyboard.press("Shift+Enter")
    expect(input_prompt(results)).to_have_text(RAN, timeout=120_000)
    wait_kernel_idle(page)
    text = output_text(cell(page, at["solver_results"]))
    solver_acc = accuracy(text, r"Best validation accuracy: ([0-9.]+)")
    record["solver_val_acc"] = solver_acc
    outputs(results).first.scroll_into_view_if_needed()
    steps.shot("cifar10-04-solver-results")

    # The search: its set-up cell, then the search cell, timed; then its results.
    select_cell(cell(page, at["search_setup"]))
    page.keyboard.press("Shift+Enter")
    expect(input_prompt(page.locator(CELLS).nth(at["search_setup"]))).to_have_text(RAN, timeout=60_000)
    search = page.locator(CELLS).nth(at["hyperparameter_search"])
    expect(search).to_have_class(re.compile(r"\bjp-mod-active\b"))
    took = run_timed(page, steps, search, "05-search", "search", budgets["hyperparameter_search"])
    record["search_cell_seconds"] = round(took, 1)
    results = page.locator(CELLS).nth(at["search_results"])
    expect(results).to_have_class(re.compile(r"\bjp-mod-active\b"))
    page.keyboard.press("Shift+Enter")
    expect(input_prompt(results)).to_have_text(RAN, timeout=120_000)
    wait_kernel_idle(page)
    text = output_text(cell(page, at["search_results"]))
    search_acc = accuracy(text, r"best_model val accuracy: ([0-9.]+)")
    record["search_val_acc"] = search_acc
    record["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    outputs(results).first.scroll_into_view_if_needed()
    steps.shot("cifar10-06-search-results")
    assert (student_folder / "best_model.npz").exists(), "the search's results cell did not save best_model.npz"

    # The last answer and its check (Inline Question 2's choices).
    select_cell(cell(page, at["inline_question_2_choices"]))
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Shift+Enter")
    last = page.locator(CELLS).nth(at["inline_question_2_choices_check"])
    expect(last.locator(".jp-OutputArea")).to_contain_text("all checks passed", timeout=60_000)

    # The course's CIFAR-10 thresholds and time budgets.
    assert solver_acc >= limits["solver_val_acc"], f"Solver: {solver_acc} < {limits['solver_val_acc']}"
    assert search_acc >= limits["search_val_acc"], f"search: {search_acc} < {limits['search_val_acc']}"
    assert record.data["solver_cell_seconds"] <= budgets["solver"], record.data
    assert record.data["search_cell_seconds"] <= budgets["hyperparameter_search"], record.data
