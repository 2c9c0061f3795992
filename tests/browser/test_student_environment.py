"""The student's environment, made as docs/students.md says from release/'s requirements.txt: in its
JupyterLab, nbgrader's instructor tools are off and its Validate button is there.

Screenshots: test-artifacts/browser/student-env-*.png (docs/browser.md).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.browser

pytest.importorskip(
    "playwright.sync_api",
    reason="Playwright is not installed in this Python: run "
    "`bash tools/browser_setup.sh` (or pip install '.[browser]')",
)

from labpage import Steps, menu_items, open_notebook  # noqa: E402 - after the skip: it imports Playwright
from playwright.sync_api import expect  # noqa: E402 - after the skip above

NOTEBOOK = "two_layer_net.ipynb"
INSTRUCTOR_MENU_ITEMS = ("Formgrader", "Create assignment", "Course List")


def status_of(server, path: str) -> int:
    request = urllib.request.Request(server.base_url + path, headers={"Authorization": f"token {server.token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_student_lab_has_validate_but_no_instructor_tools(student_env_lab_server, page, student_folder, artifacts):
    steps = Steps(page, artifacts, log="timings-student-env.log")
    n_cells = len(json.loads((student_folder / NOTEBOOK).read_text())["cells"])
    open_notebook(page, student_env_lab_server.url(f"lab/tree/{NOTEBOOK}"), n_cells)
    expect(page.locator("jp-button.validate-button")).to_be_visible()
    steps.shot("student-env-01-notebook-with-validate")

    items = menu_items(page, "Nbgrader")
    assert "Assignment List" in items, items
    for instructor_item in INSTRUCTOR_MENU_ITEMS:
        assert instructor_item not in items, f"{instructor_item!r} in the student's Nbgrader menu: {items}"
    page.locator(".lm-MenuBar-item", has_text="Nbgrader").click()
    steps.shot("student-env-02-nbgrader-menu")
    page.keyboard.press("Escape")
    # No "Create Assignment" side panel either (its tab sits in the right sidebar when on).
    expect(page.locator(".lm-TabBar-tab", has_text="Create Assignment")).to_have_count(0)
    # And the formgrader's pages are not served.
    assert status_of(student_env_lab_server, "/formgrader") == 404
