"""The class on the course's JupyterHub, end to end in a real browser (make test-hub).

Three students log in to the hub (its login page, their own Unix users), open the Assignments
tab, fetch the assignment, fill it (each uploads the notebook they wrote: the solution, a partial
one, a hostile one), press Validate in the notebook, submit from the Assignments tab, and each
then sees the grading service's feedback there ("(feedback available to fetch)", Fetch Feedback,
view feedback) without a TA. The instructor then logs in, sees the submissions in formgrader,
hand-grades the inline questions of one and exports the grades (`nbgrader export`, as the
instructor). Screenshots: test-artifacts/browser/hub-*.png; the time from each submit to the
feedback shown in the tab: test-artifacts/browser/hub-timings.log.
"""

from __future__ import annotations

import csv
import re
import time

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.hub]

pytest.importorskip(
    "playwright.sync_api",
    reason="Playwright is not installed in this Python: run `bash tools/browser_setup.sh` "
    "(or pip install '.[browser]')",
)

from labpage import Steps, click_validate, menu, validation_dialog, wait_kernel_idle  # noqa: E402
from playwright.sync_api import expect  # noqa: E402
from test_formgrader import give  # noqa: E402 - the formgrader's fields, as a TA fills them

#: The students of this test and what each hands in (corpus.py's submissions).
STUDENTS = {"tamy": "solution", "tbob": "partial", "tcat": "hostile"}
GRADES = {"inline_question_1": (3, "Right choices; say why."), "inline_question_2": (4, "Clear.")}


@pytest.fixture(scope="module")
def hub(request: pytest.FixtureRequest):
    from hubtest import shared_hub

    return shared_hub(request)


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    import corpus

    hostile = next(h for h in corpus.HOSTILE if h.name == "monkeypatching the checks")
    answers = {"solution": {}, "partial": corpus.MISTAKES[0].answers, "hostile": hostile.answers}
    folder = tmp_path_factory.mktemp("filled")
    return {
        student: corpus.write_submission(folder / student / "two_layer_net.ipynb", answers[kind])
        for student, kind in STUDENTS.items()
    }


def log_in(page, hub, name: str) -> None:
    page.goto(f"{hub.url}/hub/login", wait_until="domcontentloaded")
    page.fill("#username_input", name)
    page.fill("#password_input", hub.passwords[name])
    page.click("#login_submit")
    # The hub starts the user's JupyterLab (as their own Unix user) and sends the browser there.
    expect(page.locator(".lm-MenuBar-item", has_text="Nbgrader")).to_be_visible(timeout=180_000)


def log_out(page, hub) -> None:
    page.goto(f"{hub.url}/hub/logout", wait_until="domcontentloaded")
    page.context.clear_cookies()


def assignments_tab(page):
    menu(page, "Nbgrader", "Assignment List")
    tab = page.locator(".jp-MainAreaWidget:not(.lm-mod-hidden)").filter(has=page.locator("#released_assignments_list"))
    expect(tab).to_be_visible(timeout=60_000)
    return tab


def fetch_and_fill(page, steps, student: str, notebook) -> None:
    tab = assignments_tab(page)
    fetch = tab.locator("#released_assignments_list button", has_text="Fetch")
    expect(fetch).to_be_visible(timeout=60_000)
    steps.shot(f"hub-{student}-01-released")
    fetch.click()
    expect(tab.locator("#fetched_assignments_list")).to_contain_text("two_layer_net", timeout=60_000)
    # The student's filled notebook replaces the fetched one: File Browser, into two_layer_net/, Upload.
    page.locator(".jp-DirListing-item", has_text="two_layer_net").first.dblclick()
    expect(page.locator(".jp-BreadCrumbs")).to_contain_text("two_layer_net")
    with page.expect_file_chooser() as chooser:
        page.locator(".jp-FileBrowser-toolbar jp-button[title='Upload Files'], .jp-id-upload").first.click()
    chooser.value.set_files(str(notebook))
    overwrite = page.locator(".jp-Dialog button", has_text="Overwrite")
    overwrite.click()
    expect(page.locator(".jp-Dialog")).to_be_hidden()


def validate(page, steps, student: str) -> str:
    page.locator(".jp-DirListing-item", has_text="two_layer_net.ipynb").first.dblclick()
    wait_kernel_idle(page, 120_000)
    click_validate(page)
    dialog = validation_dialog(page, timeout=300_000)
    body = dialog.locator("#validation-message").text_content() or ""
    steps.shot(f"hub-{student}-02-validated")
    dialog.locator(".jp-Dialog-footer button", has_text="Ok").click()
    return body


def submit(page, steps, student: str) -> float:
    tab = assignments_tab(page)
    button = tab.locator("#fetched_assignments_list button", has_text="Submit")
    expect(button).to_be_visible(timeout=60_000)
    button.click()
    expect(tab.locator("#submitted_assignments_list")).to_contain_text("two_layer_net", timeout=60_000)
    steps.shot(f"hub-{student}-03-submitted")
    return time.monotonic()


def see_feedback(page, steps, student: str, submitted_at: float) -> tuple[float, str]:
    """In the Assignments tab: wait for "(feedback available to fetch)", Fetch Feedback, open it."""
    tab = assignments_tab(page)
    available = tab.locator("#submitted_assignments_list", has_text="feedback available to fetch")
    refresh = page.locator(".jp-MainAreaWidget:not(.lm-mod-hidden) #refresh_assignments_list")
    deadline = time.monotonic() + 240
    while not available.is_visible():
        assert time.monotonic() < deadline, f"no feedback for {student} within 240 s"
        refresh.click()
        page.wait_for_timeout(1000)
    waited = time.monotonic() - submitted_at
    tab.locator("#submitted_assignments_list button", has_text="Fetch Feedback").click()
    link = tab.locator("#submitted_assignments_list a", has_text="view feedback")
    expect(link).to_be_visible(timeout=60_000)
    steps.shot(f"hub-{student}-04-feedback-fetched")
    link.first.click()
    page.locator(".jp-DirListing-item", has_text="two_layer_net.html").first.dblclick()
    frame = page.frame_locator(".jp-HTMLViewer iframe, .jp-RenderedHTMLCommon iframe, iframe").last
    expect(frame.locator("h1")).to_contain_text("two_layer_net: feedback", timeout=60_000)
    steps.shot(f"hub-{student}-05-feedback")
    return waited, frame.locator("body").inner_text()


def test_three_students_and_an_instructor_on_the_hub(hub, filled, page, artifacts):
    steps = Steps(page, artifacts, log="hub-timings.log")
    submitted, validations = {}, {}
    for student, notebook in filled.items():
        log_in(page, hub, student)
        steps.shot(f"hub-{student}-00-lab")
        fetch_and_fill(page, steps, student, notebook)
        validations[student] = validate(page, steps, student)
        submitted[student] = submit(page, steps, student)
        log_out(page, hub)
    assert "Success! Your notebook passes all the tests." in validations["tamy"], validations["tamy"]
    assert 'self_check("affine_forward"' in validations["tbob"], "the partial answer's failing check is listed"

    texts = {}
    for student in filled:
        log_in(page, hub, student)
        waited, texts[student] = see_feedback(page, steps, student, submitted[student])
        (key,) = hub.inbound_keys(student)
        steps.lines.append(
            f"{student}: submit to feedback released {hub.latency(key):.1f} s (the service's journal); "
            f"shown in the Assignments tab when the test came back to {student}, {waited:.1f} s after the submit"
        )
        log_out(page, hub)
    assert "PASS out on the fixed inputs of the exercise" in texts["tamy"]
    assert "FAIL" in texts["tbob"] and "Reshape x into rows" not in texts["tbob"], "hidden hints wait (policy)"
    assert re.search(r"affine_forward\s+failed", texts["tcat"]), "monkeypatching the checks gains nothing"
    for student, text in texts.items():
        others = [o for o in filled if o != student]
        assert not any(o in text for o in others), f"{student}'s feedback names another student"

    # The instructor: formgrader lists the assignment and the submissions, hand-grades tamy's
    # inline questions (as a TA does in tests/browser/test_formgrader.py), and exports the grades.
    log_in(page, hub, "tinst")
    menu(page, "Nbgrader", "Formgrader")
    frame = page.frame_locator(".jp-MainAreaWidget iframe").first
    expect(frame.get_by_role("link", name="Manual Grading").first).to_be_visible(timeout=60_000)
    expect(frame.locator("tr", has_text="two_layer_net")).to_contain_text("released")
    steps.shot("hub-instructor-01-assignments")
    # Manual Grading, the assignment, its notebook: each page's table header says where we are.
    frame.get_by_role("link", name="Manual Grading").first.click()
    for header in ("Assignment ID", "Notebook ID"):
        expect(frame.locator("table th").first).to_have_text(header)
        frame.locator("table a", has_text="two_layer_net").first.click()
    expect(frame.locator("table th", has_text="Submission ID")).to_be_visible()
    frame.get_by_text("Show All Names").click()
    for student in filled:
        expect(frame.locator("table")).to_contain_text(re.compile(student, re.I))
    steps.shot("hub-instructor-02-submissions")
    frame.locator("tr", has_text=re.compile("tamy", re.I)).get_by_role("link").first.click()
    expect(frame.locator("input.score#inline_question_1")).to_be_attached(timeout=60_000)
    for grade_id, (points, comment) in GRADES.items():
        give(page, frame, grade_id, points, comment)
    frame.locator("input.score#inline_question_1").scroll_into_view_if_needed()
    steps.shot("hub-instructor-03-hand-graded")

    export = hub.run_as("tinst", "sh", "-c", f"cd {hub.layout.course} && nbgrader export --to grades.csv")
    assert export.returncode == 0
    rows = {r["student_id"]: r for r in csv.DictReader(open(hub.layout.course / "grades.csv"))}
    assert float(rows["tamy"]["score"]) == 92 + sum(p for p, _ in GRADES.values())
    assert float(rows["tbob"]["score"]) < 92
