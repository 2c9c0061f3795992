"""What the browser test does in JupyterLab 4's page, the way a student does it.

Selectors are JupyterLab 4's DOM (checked on 4.6 with nbgrader 0.9.6's labextension):

- a notebook's cells are ``.jp-Notebook .jp-Cell`` in notebook order; JupyterLab's default
  windowing mode (``contentVisibility``) keeps every cell in the DOM, but skips rendering the
  ones off screen, so a cell is scrolled into view before its text is read or clicked;
- the kernel status is ``.jp-Notebook-ExecutionIndicator[data-status]`` in the notebook toolbar;
- a code cell's editor is CodeMirror 6 (``.cm-content``), its outputs ``.jp-OutputArea-output``;
- nbgrader's "Validate" button is ``jp-button.validate-button`` in the notebook toolbar; its
  result is a ``.jp-Dialog`` titled "Validation Results" whose body is ``#validation-message``
  (class ``validation-failed``, ``validation-success``, ``validation-changed``, ...).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"
CELLS = f"{NOTEBOOK} .jp-Notebook .jp-Cell"
KERNEL_STATUS = f"{NOTEBOOK} .jp-Notebook-ExecutionIndicator"


class Steps:
    """Screenshots and the time of each step (``<log>`` beside the screenshots, timings.log by default)."""

    def __init__(self, page: Page, artifacts: Path, log: str = "timings.log"):
        self.page, self.artifacts, self.log = page, artifacts, log
        self.start = self.last = time.monotonic()
        self.lines: list[str] = []

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.artifacts / f"{name}.png"), full_page=True)
        self.mark(name)

    def mark(self, name: str) -> float:
        """Record the time since the previous step; returns it."""
        now = time.monotonic()
        took = now - self.last
        self.lines.append(f"{name}: {took:.1f} s (total {now - self.start:.1f} s)")
        self.last = now
        (self.artifacts / self.log).write_text("\n".join(self.lines) + "\n")
        return took


def menu(page: Page, menu_name: str, item: str) -> None:
    """Click ``item`` of the menu bar's ``menu_name`` menu."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(rf"^{re.escape(menu_name)}$")).click()
    page.locator(".lm-Menu-item:visible", has_text=re.compile(rf"^{re.escape(item)}")).first.click()


def menu_items(page: Page, menu_name: str) -> list[str]:
    """The labels of a menu bar menu's items (the menu is opened, read and closed)."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(rf"^{re.escape(menu_name)}$")).click()
    labels = page.locator(".lm-Menu-item:visible .lm-Menu-itemLabel").all_text_contents()
    page.keyboard.press("Escape")
    return [label.strip() for label in labels]


def cell_index(notebook_path: Path, grade_id: str) -> int:
    """Index of the cell with this nbgrader grade_id in the notebook file (= its place in the page)."""
    cells = json.loads(Path(notebook_path).read_text())["cells"]
    for i, cell in enumerate(cells):
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            return i
    raise KeyError(f"no cell with grade_id {grade_id!r} in {notebook_path}")


def cell_source(notebook_path: Path, grade_id: str) -> str:
    cells = json.loads(Path(notebook_path).read_text())["cells"]
    source = cells[cell_index(notebook_path, grade_id)]["source"]
    return "".join(source) if isinstance(source, list) else source


SOURCE_NOTEBOOK = Path(__file__).resolve().parents[2] / "source" / "two_layer_net" / "two_layer_net.ipynb"
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def solution_of(grade_id: str) -> str:
    """The source notebook's answer cell as a student would write it: without nbgrader's markers."""
    source = cell_source(SOURCE_NOTEBOOK, grade_id)
    return "\n".join(line for line in source.split("\n") if not any(marker in line for marker in SOLUTION_MARKERS))


def open_notebook(page: Page, url: str, n_cells: int, timeout: float = 90_000) -> None:
    """Load the notebook's page and wait until every cell is there and the kernel is idle."""
    page.goto(url, wait_until="domcontentloaded", timeout=timeout)
    expect(page.locator(CELLS)).to_have_count(n_cells, timeout=timeout)
    wait_kernel_idle(page, timeout)


def wait_kernel_idle(page: Page, timeout: float = 120_000) -> None:
    expect(page.locator(KERNEL_STATUS)).to_have_attribute("data-status", "idle", timeout=timeout)


def cell(page: Page, index: int, contains: str | None = None) -> Locator:
    """The index-th cell, scrolled into view; ``contains``: text its editor must show (a sanity check)."""
    loc = page.locator(CELLS).nth(index)
    loc.scroll_into_view_if_needed()
    if contains is not None:
        expect(loc.locator(".jp-InputArea-editor")).to_contain_text(contains)
    return loc


def outputs(loc: Locator) -> Locator:
    return loc.locator(".jp-OutputArea-output")


def output_text(loc: Locator) -> str:
    return "\n".join(o.text_content() or "" for o in outputs(loc).all())


def run_all_from_menu(page: Page) -> None:
    """Run → Run All Cells, in the menu bar."""
    menu(page, "Run", "Run All Cells")


def replace_cell_source(page: Page, loc: Locator, text: str) -> None:
    """Click into the cell's editor, select everything and put ``text`` in its place.

    ``keyboard.insert_text`` sends the text as one input event (what a paste does): CodeMirror does
    not auto-indent it nor close brackets, which typing key by key would.
    """
    editor = loc.locator(".cm-content")
    editor.click()
    expect(loc).to_have_class(re.compile(r"\bjp-mod-active\b"))
    expect(page.locator(NOTEBOOK + " .jp-Notebook")).to_have_class(re.compile(r"\bjp-mod-editMode\b"))
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(text)


def editor_lines(loc: Locator) -> list[str]:
    """The non-blank lines that the cell's editor shows."""
    lines = loc.locator(".cm-content .cm-line").all_text_contents()
    return [line.rstrip() for line in lines if line.strip()]


def click_validate(page: Page) -> None:
    button = page.locator(f"{NOTEBOOK} jp-button.validate-button")
    expect(button).to_be_visible()
    expect(button).to_have_text("Validate")
    button.click()


def validation_dialog(page: Page, timeout: float = 150_000) -> Locator:
    """The "Validation Results" dialog, once nbgrader has saved, run and checked the notebook."""
    dialog = page.locator(".jp-Dialog", has=page.locator("#validation-message"))
    expect(dialog).to_be_visible(timeout=timeout)
    expect(dialog.locator(".jp-Dialog-header")).to_have_text("Validation Results")
    return dialog


def select_cell(loc: Locator) -> None:
    """Select a cell in command mode, as a click on its prompt does (works for read-only cells)."""
    loc.scroll_into_view_if_needed()
    loc.locator(".jp-InputPrompt").first.click()
    expect(loc).to_have_class(re.compile(r"\bjp-mod-active\b"))


def replace_markdown_source(page: Page, loc: Locator, text: str) -> None:
    """A markdown cell: double-click its rendered text to edit it, then as ``replace_cell_source``."""
    loc.scroll_into_view_if_needed()
    loc.locator(".jp-MarkdownOutput").dblclick()
    expect(loc.locator(".cm-content")).to_be_visible()
    replace_cell_source(page, loc, text)


def input_prompt(loc: Locator) -> Locator:
    """The cell's ``[n]:`` prompt: ``[*]:`` while the cell is queued or running."""
    return loc.locator(".jp-InputPrompt").first


RUNNING = "[*]:"
RAN = re.compile(r"^\s*\[\d+\]:\s*$")


def progress_bars(loc: Locator) -> Locator:
    """The ipywidgets progress bars (tqdm.auto's bars in JupyterLab) in a cell's outputs."""
    return loc.locator(".jp-OutputArea-output .widget-hprogress")
