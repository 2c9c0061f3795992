"""The student's experience in JupyterLab, tested in a real browser (headless Chromium).

One student's first minutes with the released notebook, through the page only:

1. open ``two_layer_net.ipynb`` in JupyterLab (nbgrader installed, as on the course machines);
2. Run → Run All Cells: the first check cell (affine_forward's) says clearly that the function
   "is not implemented yet", and ends on one short red line, without a Python traceback;
3. type the answer of ``affine_forward`` into its cell (the source notebook's solution), run it and
   its check cell with Shift+Enter: "affine_forward: all checks passed";
4. press nbgrader's "Validate" in the notebook toolbar: the dialog lists the cells that still fail
   (affine_backward's check, ...) and no longer affine_forward's; the answer is saved in the file.

Screenshots of each step go to test-artifacts/browser/ (see docs/browser.md).
"""

from __future__ import annotations

import json
import re

import pytest

pytestmark = pytest.mark.browser

# Without Playwright the module is skipped, with the reason (conftest.py skips without Chromium).
pytest.importorskip(
    "playwright.sync_api",
    reason="Playwright is not installed in this Python: run "
    "`bash tools/browser_setup.sh` (or pip install '.[browser]')",
)

from labpage import (  # noqa: E402 - after the skip: it imports Playwright
    CELLS,
    Steps,
    cell,
    cell_index,
    cell_source,
    click_validate,
    editor_lines,
    open_notebook,
    output_text,
    replace_cell_source,
    run_all_from_menu,
    solution_of,
    validation_dialog,
    wait_kernel_idle,
)
from playwright.sync_api import expect  # noqa: E402 - after the skip above

NOTEBOOK = "two_layer_net.ipynb"


def test_student_runs_all_answers_affine_forward_and_validates(lab_server, page, student_folder, artifacts):
    notebook = student_folder / NOTEBOOK
    n_cells = len(json.loads(notebook.read_text())["cells"])
    data_at = cell_index(notebook, "setup_data")
    answer_at = cell_index(notebook, "affine_forward")
    check_at = cell_index(notebook, "affine_forward_check")
    solution = solution_of("affine_forward")
    assert "raise NotImplementedError()" not in solution and "def affine_forward" in solution
    steps = Steps(page, artifacts)

    # 1. The notebook opens, with its kernel idle and nbgrader's Validate button in the toolbar.
    open_notebook(page, lab_server.url(f"lab/tree/{NOTEBOOK}"), n_cells)
    expect(page.locator("jp-button.validate-button")).to_be_visible()
    steps.shot("01-opened")

    # 2. Run → Run All Cells. The check cell of affine_forward fails, saying why, in a few lines.
    run_all_from_menu(page)
    check_cell = page.locator(CELLS).nth(check_at)
    expect(check_cell.locator(".jp-OutputArea")).to_contain_text("checks failed", timeout=120_000)
    wait_kernel_idle(page)
    steps.shot("02-run-all-where-jupyterlab-leaves-the-view")

    expect(cell(page, data_at).locator(".jp-OutputArea")).to_contain_text("Dataset: digits")
    check_cell = cell(page, check_at, contains='self_check("affine_forward", globals())')
    text = output_text(check_cell)
    assert re.search(r"affine_forward: \d+ of \d+ checks failed", text), text
    assert "is not implemented yet" in text, text
    assert "Replace `raise NotImplementedError()`" in text, text  # the hint
    assert "Fix your code, run its cell again, then this one." in text, text
    for wall in ("Traceback", "CheckFailed", 'File "', "site-packages"):
        assert wall not in text, f"a traceback in the check cell's output ({wall!r}):\n{text}"
    steps.shot("03-run-all-affine-forward-check")

    # 3. The student types the answer into the cell, runs it and its check cell (Shift+Enter twice).
    answer_cell = cell(page, answer_at, contains="def affine_forward(x, w, b):")
    replace_cell_source(page, answer_cell, solution)
    expected_lines = [line.rstrip() for line in solution.split("\n") if line.strip()]
    assert editor_lines(answer_cell) == expected_lines, "the editor does not show the typed answer as typed"
    page.keyboard.press("Shift+Enter")  # runs the answer and selects the check cell below it
    expect(page.locator(CELLS).nth(check_at)).to_have_class(re.compile(r"\bjp-mod-active\b"))
    page.keyboard.press("Shift+Enter")
    check_cell = page.locator(CELLS).nth(check_at)
    expect(check_cell.locator(".jp-OutputArea")).to_contain_text("affine_forward: all checks passed", timeout=60_000)
    wait_kernel_idle(page)
    text = output_text(cell(page, check_at))
    assert "FAIL" not in text and "Traceback" not in text and "checks failed" not in text, text
    # The original exercise's test, in a cell of its own below the check cell (selected by now).
    original_at = cell_index(notebook, "affine_forward_original")
    assert original_at == check_at + 1
    expect(page.locator(CELLS).nth(original_at)).to_have_class(re.compile(r"\bjp-mod-active\b"))
    page.keyboard.press("Shift+Enter")
    expect(page.locator(CELLS).nth(original_at).locator(".jp-OutputArea")).to_contain_text(
        "difference:", timeout=60_000
    )
    wait_kernel_idle(page)
    steps.shot("04-affine-forward-passing")

    # 4. nbgrader's Validate: saves the notebook, runs it, lists the cells that still fail.
    click_validate(page)
    dialog = validation_dialog(page)
    message = dialog.locator("#validation-message")
    expect(message).to_have_class(re.compile(r"\bvalidation-failed\b"))
    body = message.text_content() or ""
    assert "The following cell failed:" in body, body
    assert 'self_check("affine_backward", globals())' in body, body
    assert re.search(r"affine_backward: \d+ of \d+ checks failed", body), body
    assert 'self_check("affine_forward", globals())' not in body, (
        f"Validate still fails the affine_forward check:\n{body}"
    )
    assert "Traceback" not in body, body
    steps.shot("05-validate-dialog")
    # The dialog opens on the first failing cell's source; its error line is below, inside the dialog.
    message.locator(".ansi-red-fg").first.scroll_into_view_if_needed()
    steps.shot("06-validate-dialog-first-error")
    dialog.locator(".jp-Dialog-footer button", has_text="Ok").click()
    expect(dialog).to_be_hidden()

    # Validate saved the notebook first: the file has the answer exactly as typed.
    assert cell_source(notebook, "affine_forward") == solution
