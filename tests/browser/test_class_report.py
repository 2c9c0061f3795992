"""The class report (issue 22) in a real browser, on the demo class of `make demo` (a perfect
submission, typical mistakes, an untouched notebook, one that crashes, one that loops, one that is
not JSON) graded by `python -m autograder grade`, with two TAs' hand grades in an nbgrader
gradebook: the instructor opens the HTML file and reads what to re-teach, the items, the checks
(the long tail folded away), the training runs, the inline questions with the hand grades, and
what could not be graded; the anonymised report names nobody. The file needs nothing but itself:
every request other than the file is refused and must not happen; every plot must be drawn.

Screenshots: test-artifacts/browser/class-report-*.png (docs/browser.md).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]

pytest.importorskip(
    "playwright.sync_api",
    reason="Playwright is not installed in this Python: run "
    "`bash tools/browser_setup.sh` (or pip install '.[browser]')",
)

from labpage import Steps  # noqa: E402 - after the skip: it imports Playwright
from playwright.sync_api import expect  # noqa: E402 - after the skip above

import corpus  # noqa: E402 - after the skip, as the other browser tests
from autograder.maintenance.demo import write_demo_class  # noqa: E402
from gradebooks import write_gradebook  # noqa: E402

STUDENTS = ("ada", "ben", "cy", "dee", "eve", "fay")
HAND = {
    "ada": {"inline_question_1": (4, "Both right, well argued."), "inline_question_2": (4, "")},
    "ben": {
        "inline_question_1": (1, "Leaky ReLU has no zero gradient: reread ben's option 3."),
        "inline_question_2": (None, ""),
    },
}


@pytest.fixture(scope="module")
def graded_demo(tmp_path_factory) -> Path:
    """The demo class graded by the course grader, its journal, and a gradebook with hand grades."""
    root = tmp_path_factory.mktemp("demo")

    def submit(student: str, notebook: Path | None, raw: str | None) -> None:
        dest = root / "submitted" / student / "two_layer_net" / "two_layer_net.ipynb"
        dest.parent.mkdir(parents=True)
        if raw is not None:
            dest.write_text(raw)
        else:
            shutil.copy(notebook, dest)

    write_demo_class(corpus.RELEASE, root / "scratch", submit)
    grade = [sys.executable, "-m", "autograder", "grade", "submitted", "--jobs", "2", "--cell-timeout", "20"]
    done = subprocess.run(
        [*grade, "--journal", "journal.jsonl", "-q", "--summary", "-o", "report.txt"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    write_gradebook(root / "gradebook.db", HAND)
    for extra in ([], ["--anonymous"]):
        name = "class-anonymous.html" if extra else "class.html"
        report = [
            sys.executable,
            "-m",
            "autograder",
            "report",
            "journal.jsonl",
            "-o",
            name,
            "--gradebook",
            "gradebook.db",
        ]
        done = subprocess.run([*report, *extra], cwd=root, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
    return root


def open_alone(page, path: Path) -> tuple[list[str], list[str]]:
    """Open the file with every other request refused; returns (refused requests, script errors)."""
    outside: list[str] = []
    errors: list[str] = []

    def refuse(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", refuse)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path.as_uri())
    return outside, errors


def section(page, anchor: str):
    return page.locator(f"section:has(#{anchor})")


def test_the_instructor_reads_the_class_report(graded_demo, page, artifacts):
    steps = Steps(page, artifacts, log="timings-class-report.log")
    outside, errors = open_alone(page, graded_demo / "class.html")
    expect(page.locator("h1")).to_have_text("two_layer_net: class report")
    expect(page.locator(".meta")).to_contain_text("5 of 6 submissions graded, on digits")
    plots = page.locator("img.plot")
    assert plots.count() >= 5
    for i in range(plots.count()):  # every plot decoded and drawn
        assert plots.nth(i).evaluate("img => img.complete && img.naturalWidth > 0"), i
    steps.shot("class-report-01-page")

    mistakes = section(page, "mistakes")
    first = mistakes.locator("tbody tr").first
    expect(mistakes).to_contain_text("np.exp overflows for large scores")  # ben's softmax
    expect(mistakes).to_contain_text("Biases must be zero vectors")  # ben's scalar biases
    expect(first.locator(".who")).to_contain_text("ben")
    mistakes.screenshot(path=str(artifacts / "class-report-02-mistakes.png"))

    items = section(page, "items")
    row = items.locator("tr", has=page.locator("td", has_text=re.compile(r"^softmax_loss$")))
    expect(row).to_have_count(1)
    expect(items).to_contain_text("The discrimination index is the correlation")
    items.screenshot(path=str(artifacts / "class-report-03-items.png"))

    checks = section(page, "checks")
    more = checks.locator("details")
    if more.count():  # the long tail of failed checks is folded away, and opens
        expect(more.locator("table")).to_be_hidden()
        more.locator("summary").click()
        expect(more.locator("table")).to_be_visible()
    checks.screenshot(path=str(artifacts / "class-report-04-checks.png"))

    training = section(page, "training")
    expect(training).to_contain_text("below the threshold 0.9")
    expect(training).to_contain_text("used up its time budget of 20 s")  # eve's Solver loop
    training.screenshot(path=str(artifacts / "class-report-05-training.png"))

    questions = section(page, "questions")
    expect(questions.locator("tr", has_text="{1, 2}")).to_contain_text("accepted")
    expect(questions.locator("tr", has_text="{2, 3}")).to_contain_text("ben")
    expect(questions).to_contain_text("Both right, well argued.")  # the hand grades, from the gradebook
    expect(questions.locator("tr", has_text="Leaky ReLU has no zero gradient")).to_contain_text("1 / 4")
    questions.screenshot(path=str(artifacts / "class-report-06-questions.png"))

    ungraded = section(page, "ungraded")
    expect(ungraded.locator("tr", has_text="fay")).to_contain_text("not a valid notebook")
    section(page, "times").screenshot(path=str(artifacts / "class-report-07-times.png"))
    steps.mark("read")
    assert outside == [], f"the report asked for files outside itself: {outside}"
    assert errors == [], errors


def test_the_anonymised_report_names_nobody(graded_demo, page, artifacts):
    outside, errors = open_alone(page, graded_demo / "class-anonymous.html")
    expect(page.locator(".shared")).to_contain_text("Anonymised for the course staff")
    seen = page.locator("body").inner_text()
    for student in STUDENTS:
        assert not re.search(rf"\b{student}\b", seen), student
    expect(section(page, "questions")).to_contain_text(re.compile(r"reread student \d+'s option 3"))
    section(page, "mistakes").screenshot(path=str(artifacts / "class-report-08-anonymous-mistakes.png"))
    assert outside == [] and errors == []
