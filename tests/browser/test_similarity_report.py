"""The similarity report (issue 15) in a real browser: the instructor opens the HTML file,
clicks the top pair and sees the two notebooks side by side with the shared code highlighted
in each student's own source. The file must need nothing but itself: every request other than
the file is refused and must not happen.

Screenshots: test-artifacts/browser/similarity-*.png (docs/browser.md).
"""

from __future__ import annotations

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

import corpus_similarity  # noqa: E402 - after the skip, as the other browser tests


def test_the_report_opens_a_pair_side_by_side_with_the_matches_highlighted(page, artifacts, tmp_path):
    steps = Steps(page, artifacts, log="timings-similarity.log")
    corpus_similarity.write_class(tmp_path / "submitted")
    report = tmp_path / "similarity.html"
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "similarity", str(tmp_path / "submitted"), "-o", str(report), "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    outside: list[str] = []

    def refuse(route):
        if not route.request.url.startswith("file://"):
            outside.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", refuse)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(report.as_uri())
    first = page.locator("tr.pair").first
    expect(first).to_contain_text("ann")
    expect(first).to_contain_text("ben")
    expect(first.locator(".badge")).to_have_text("flagged")
    steps.shot("similarity-01-ranked-pairs")

    first.click()
    view = page.locator("#view")
    expect(view).to_be_visible()
    expect(page.locator("#pairs")).to_be_hidden()
    expect(page.locator("#view-title")).to_contain_text("ann")
    cell = view.locator(".cell[data-item='affine_forward']")
    expect(cell.locator("h3")).to_contain_text("flagged")
    # Highlights on both sides, in the students' original text: ben's renamed names are there.
    sides = cell.locator(".side > div")
    expect(sides).to_have_count(2)
    for side in (sides.nth(0), sides.nth(1)):
        assert side.locator("mark.m").count() > 0
    copy = corpus_similarity.text(next(c.file for c in corpus_similarity.copies() if c.item == "affine_forward"))
    assert sides.nth(1).locator("pre").inner_text() == copy
    highlighted = " ".join(sides.nth(1).locator("mark.m").all_inner_texts())
    assert highlighted.strip() and highlighted.split()[0] in copy
    steps.shot("similarity-02-side-by-side")

    page.locator("#back").click()
    expect(page.locator("#pairs")).to_be_visible()
    assert outside == [], f"the report asked for files outside itself: {outside}"
    assert errors == [], errors
