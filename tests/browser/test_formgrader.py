"""A TA hand-grades the two inline questions in JupyterLab's Formgrader, in a real browser.

On a course autograded by the real nbgrader (one student, ``ann``, who handed in the solution),
through the page only:

1. start JupyterLab in the course folder, Nbgrader → Formgrader;
2. Manual Grading → two_layer_net → two_layer_net → Submission #1;
3. give ``inline_question_1`` and ``inline_question_2`` points and a comment each (the formgrader
   saves a field when it changes: the test waits for each save's answer from the server);
4. back on the submissions list, the written score is the one given.

Then the TA's next two commands, `nbgrader export` and `nbgrader generate_feedback` (run as the
docs/ta-round.md says, through `autograder.nbgrader.course.Course`), must show those points: the CSV's score and the
student's feedback HTML (opened in the browser for a screenshot). Screenshots:
test-artifacts/browser/formgrader-*.png (docs/browser.md).
"""

from __future__ import annotations

import csv
import re

import pytest

pytestmark = pytest.mark.browser

pytest.importorskip(
    "playwright.sync_api",
    reason="Playwright is not installed in this Python: run "
    "`bash tools/browser_setup.sh` (or pip install '.[browser]')",
)

from labpage import Steps, menu  # noqa: E402 - after the skip: it imports Playwright
from playwright.sync_api import expect  # noqa: E402 - after the skip above

#: What the TA gives: grade_id -> (points of 4, comment).
GRADES = {
    "inline_question_1": (3, "Right choices; say why Leaky ReLU never has a zero gradient."),
    "inline_question_2": (4, "Clear and complete."),
}
AUTOGRADED = 92


def give(page, frame, grade_id: str, points: float, comment: str) -> None:
    """Type the points and the comment of one cell; wait until the formgrader saved each."""
    score = frame.locator(f"input.score#{grade_id}")
    score.scroll_into_view_if_needed()
    with page.expect_response(lambda r: "/formgrader/api/grade/" in r.url and r.request.method == "PUT") as saved:
        score.fill(str(points))
        score.press("Tab")  # the change event: the formgrader saves the field
    assert saved.value.ok, saved.value.status
    assert saved.value.json()["manual_score"] == points
    box = frame.locator(f"textarea.comment#{grade_id}-comment")
    with page.expect_response(lambda r: "/formgrader/api/comment/" in r.url and r.request.method == "PUT") as saved:
        box.fill(comment)
        box.press("Tab")
    assert saved.value.ok, saved.value.status
    assert saved.value.json()["manual_comment"] == comment


def test_ta_hand_grades_the_inline_questions_in_formgrader(course_lab_server, graded_course, page, artifacts):
    steps = Steps(page, artifacts, log="timings-formgrader.log")
    page.goto(course_lab_server.url("lab"), wait_until="domcontentloaded", timeout=90_000)

    # 1. Nbgrader → Formgrader opens the formgrader in a JupyterLab tab (an iframe).
    menu(page, "Nbgrader", "Formgrader")
    frame = page.frame_locator(".jp-MainAreaWidget iframe").first
    expect(frame.get_by_role("link", name="Manual Grading").first).to_be_visible(timeout=60_000)
    steps.shot("formgrader-01-opened")

    # 2. Manual Grading → the assignment → its notebook → the submission (names hidden by default).
    frame.get_by_role("link", name="Manual Grading").first.click()
    frame.get_by_role("link", name="two_layer_net").click()
    frame.get_by_role("link", name="two_layer_net").click()
    row = frame.locator("tr", has=frame.get_by_role("link", name="Submission #1"))
    expect(row).to_contain_text(f"{AUTOGRADED} / {AUTOGRADED}")  # the code score, from nbgrader autograde
    expect(row).to_contain_text("0 / 8")  # the written score, before grading
    steps.shot("formgrader-02-submissions")
    frame.get_by_role("link", name="Submission #1").click()
    expect(frame.locator("input.score#inline_question_1")).to_be_attached(timeout=60_000)

    # 3. Points and a comment for each inline question.
    for grade_id, (points, comment) in GRADES.items():
        give(page, frame, grade_id, points, comment)
    for n, grade_id in enumerate(GRADES, start=3):
        frame.locator(f"input.score#{grade_id}").evaluate("e => e.scrollIntoView({block: 'start'})")
        steps.shot(f"formgrader-0{n}-{grade_id.replace('_', '-')}-graded")

    # 4. Back on the list, the written score is what was given.
    written = sum(points for points, _ in GRADES.values())
    frame.get_by_role("link", name="two_layer_net").last.click()
    row = frame.locator("tr", has=frame.get_by_role("link", name="Submission #1"))
    expect(row).to_contain_text(f"{written} / 8")
    expect(row).to_contain_text(f"{AUTOGRADED + written} / 100")
    steps.shot("formgrader-05-submissions-after-grading")

    # The TA's next commands show the hand-given points.
    export = graded_course.export(graded_course.root / "grades.csv")
    with open(export) as f:
        (line,) = [r for r in csv.DictReader(f) if r["student_id"] == "ann"]
    assert float(line["score"]) == AUTOGRADED + written and float(line["max_score"]) == 100, line
    feedback = graded_course.feedback()
    assert [p.name for p in feedback] == ["two_layer_net.html"], feedback
    html = feedback[0].read_text()
    assert f"(Score: {float(AUTOGRADED + written)} / 100.0)" in html
    for grade_id, (points, comment) in GRADES.items():
        entry = re.search(rf'href="#{grade_id}">Written response</a> \(Score: ([\d.]+) / 4.0\)', html)
        assert entry and float(entry.group(1)) == points, grade_id
        assert comment in html, comment
    page.goto(feedback[0].as_uri())
    page.locator(f'a[name="comment-{list(GRADES)[0]}"]').scroll_into_view_if_needed()
    steps.shot("formgrader-06-feedback-html")
