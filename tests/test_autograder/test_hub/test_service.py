"""The grading service on a real hub (make test-hub): a student's `nbgrader submit` is graded in
the sandbox, recorded in nbgrader's gradebook and answered with feedback that `nbgrader
fetch_feedback` brings back; a resubmission counts instead; the late policy applies; nothing is
graded twice or lost when the service or the whole hub restarts."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from datetime import datetime, timedelta, timezone

import pytest

pytestmark = pytest.mark.hub


def gradebook_grades(hub, student: str) -> dict:
    from nbgrader.api import Gradebook

    with Gradebook(hub.layout.gradebook_url) as gb:
        notebook = gb.find_submission_notebook("two_layer_net", "two_layer_net", student)
        return {
            "score": notebook.score,
            "code": notebook.code_score,
            "penalty": notebook.late_submission_penalty,
            "needs_manual": sorted(g.name for g in notebook.grades if g.needs_manual_grade),
            "timestamp": gb.find_submission("two_layer_net", student).timestamp,
        }


def set_due_date(hub, when: datetime | None) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(hub.layout.gradebook_url) as gb:
        gb.update_or_create_assignment("two_layer_net", duedate=when.replace(tzinfo=None) if when else None)


def test_submit_is_graded_recorded_and_answered_with_feedback(hub, notebooks):
    key = hub.submit("tann", notebooks["solution"])
    entry = hub.wait_released(key)
    assert entry.result["score"] == entry.result["max_score"] == 92, entry.result.get("reason")
    assert hub.events(key) == ["seen", "graded", "recorded", "released"]
    print(f"submit to feedback released: {hub.latency(key):.1f} s")  # docs/jupyterhub.md, "Measured"

    grades = gradebook_grades(hub, "tann")
    assert grades["code"] == 92 and grades["penalty"] in (None, 0)
    assert grades["needs_manual"] == ["inline_question_1", "inline_question_2"], "the TA grades these by hand"
    assert (hub.layout.submitted("tann") / "two_layer_net.ipynb").read_bytes() == notebooks["solution"].read_bytes()
    assert (hub.layout.autograded("tann") / "two_layer_net.ipynb").is_file(), "formgrader shows this copy"

    (page,) = hub.fetch_feedback("tann")
    text = page.read_text()
    assert "affine_forward (visible checks)" in text and "PASS out on the fixed inputs of the exercise" in text
    assert "hidden checks' results, and with them your total, are shown" in text
    assert "Autograded score" not in text, "no due date yet: hidden results wait (course policy)"


def test_resubmission_counts_and_the_late_policy_applies(hub, notebooks):
    first = hub.submit("tben", notebooks["solution"])
    hub.wait_released(first)
    assert gradebook_grades(hub, "tben")["code"] == 92
    set_due_date(hub, datetime.now(timezone.utc) - timedelta(hours=30))
    try:
        second = hub.submit("tben", notebooks["partial"])
        entry = hub.wait_released(second)
        assert entry.result["score"] < 92
        grades = gradebook_grades(hub, "tben")
        assert grades["code"] == entry.result["score"], "the newest submission counts, not the best"
        assert grades["penalty"] == pytest.approx(entry.result["score"] * 0.2), "two started days late, 10% each"
        pages = hub.fetch_feedback("tben")
        newest = max(pages, key=lambda p: p.parent.name).read_text()
        assert "Submitted 30.0 hours after the due date (2 day(s) counted): 20% off" in newest
        assert "Hidden checks" in newest, "past the due date the hidden checks' details are released"
        # The first submission's feedback is released again with its hidden checks (within 30 s).
        hub.wait_for("the first feedback released again", lambda: hub.journal().entries[first].hidden_shown, 60)
    finally:
        set_due_date(hub, None)


def service_pid(hub) -> int | None:
    """The grading service of this hub (its command line names the hub's people file)."""
    found = subprocess.run(
        ["pgrep", "-f", f"autograder.hub --people {hub.people_file} serve"], capture_output=True, text=True
    )
    pids = [int(p) for p in found.stdout.split()]
    assert len(pids) <= 1, pids
    return pids[0] if pids else None


def test_a_killed_service_and_a_restarted_hub_lose_nothing_and_grade_nothing_twice(hub, notebooks):
    key = hub.submit("teve", notebooks["partial"])
    hub.wait_for("grading to start", lambda: (hub.layout.scratch / key / "grader.log").exists(), 60)
    os.kill(service_pid(hub), signal.SIGKILL)  # mid-grading: the hub starts the service again
    entry = hub.wait_released(key, timeout=240)
    assert hub.events(key).count("graded") == 1 and entry.result["status"] == "graded"
    before = gradebook_grades(hub, "teve")

    hub.stop()
    hub.start()
    hub.wait_for("the service to look again", lambda: service_pid(hub), 60)
    time.sleep(3)  # a few rounds of the service's loop
    assert hub.events(key).count("graded") == 1, "nothing graded again after the hub's restart"
    assert gradebook_grades(hub, "teve") == before, "the gradebook survives the restart"
    assert (hub.home("teve") / "two_layer_net" / "two_layer_net.ipynb").is_file(), "and the student's work"
    assert any("two_layer_net.html" in p.name for p in hub.fetch_feedback("teve"))
