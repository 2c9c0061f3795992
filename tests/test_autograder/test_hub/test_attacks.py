"""Bad input at the hub (make test-hub), each as a student would do it, with their own Unix user:
a 500 MB upload, a notebook of invalid JSON, fifty submissions in a minute, reading another
student's folder, the exchange's inbound or the course's gradebook, submitting as someone else
or pointing the grader at someone else's file. Each is refused or queued with a clear message,
nothing is lost, and nothing of one student reaches another."""

from __future__ import annotations

import html
import json
import secrets
import textwrap

import pytest

from autograder.hub import feedback
from autograder.hub.inbound import LIMITS

pytestmark = pytest.mark.hub
MB = 1024 * 1024

#: Run as the student: makes a submission folder in the inbound the way `nbgrader submit` lays it
#: out, with files given as text, or "sparse:N" (N bytes, no disk used), "fifo", "link:PATH".
FORGE = textwrap.dedent(
    """
    import json, os, sys
    inbound, key, files = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    folder = os.path.join(inbound, key)
    os.mkdir(folder)
    for name, what in files.items():
        path = os.path.join(folder, name)
        if what.startswith("sparse:"):
            with open(path, "wb") as f:
                f.truncate(int(what[7:]))
        elif what == "fifo":
            os.mkfifo(path)
        elif what.startswith("link:"):
            os.symlink(what[5:], path)
        else:
            with open(path, "w") as f:
                f.write(what)
    os.chmod(folder, 0o777)
    """
)


def forge(hub, student: str, claimed: str, files: dict[str, str]) -> tuple[str, str]:
    """``student`` writes a submission folder named as ``claimed``'s; returns (key, secret)."""
    secret = secrets.token_hex(64)
    key = f"{claimed}+two_layer_net+2026-12-01 10:00:00.{secrets.randbelow(10**6):06d} UTC+{secrets.token_urlsafe(9)}"
    hub.python_as(student, FORGE, str(hub.layout.inbound), key, json.dumps({"submission_secret.txt": secret, **files}))
    return key, secret


def released_page(hub, student: str, secret: str) -> str:
    """The page the service released under ``secret``, read as ``student`` (who holds it), as text."""
    path = feedback.path_for(hub.layout.outbound_feedback, secret)
    return html.unescape(hub.run_as(student, "cat", str(path)).stdout)


def test_a_500_mb_upload_is_refused_by_submit_and_by_the_service(hub, notebooks):
    folder = hub.fetch("tmal")
    hub.python_as("tmal", "import sys; open(sys.argv[1], 'wb').truncate(500 * 1024 * 1024)", str(folder / "big.bin"))
    before = hub.inbound_keys("tmal")
    done = hub.nbgrader("tmal", "submit", "two_layer_net", check=False)
    assert done.returncode != 0 and "Directory size is too big" in done.stdout + done.stderr
    assert hub.inbound_keys("tmal") == before, "nothing reached the exchange"
    hub.run_as("tmal", "rm", str(folder / "big.bin"))

    # Written into the inbound by hand instead: the service refuses it without reading it, and says why.
    key, secret = forge(hub, "tmal", "tmal", {"two_layer_net.ipynb": f"sparse:{500 * MB}"})
    entry = hub.wait_released(key, timeout=60)
    assert hub.events(key) == ["seen", "refused", "released"]
    limit = LIMITS["two_layer_net.ipynb"] // MB
    assert f"two_layer_net.ipynb is 500.0 MB, more than the {limit} MB the grader takes" in entry.reason
    assert entry.reason in released_page(hub, "tmal", secret)


def test_invalid_json_is_ungraded_with_the_reason_not_a_zero(hub, notebooks):
    key = hub.submit("tmal", notebooks["invalid"])
    entry = hub.wait_released(key)
    assert entry.result["status"] == "ungraded" and entry.result["reason"], entry.result
    page = max(hub.fetch_feedback("tmal"), key=lambda p: p.parent.name).read_text()
    assert "This submission could not be graded" in page
    from nbgrader.api import Gradebook

    with Gradebook(hub.layout.gradebook_url) as gb:
        grades = gb.find_submission_notebook("two_layer_net", "two_layer_net", "tmal").grades
        assert all(g.needs_manual_grade and g.auto_score is None for g in grades), "a TA looks; no 0 is recorded"


SUBMIT_FIFTY = textwrap.dedent(
    """
    from nbgrader.apps import SubmitApp
    for _ in range(50):
        app = SubmitApp()
        app.initialize(["two_layer_net"])
        app.start()
    """
)


def test_fifty_submissions_in_a_minute_are_all_kept_and_only_the_newest_is_graded(hub, notebooks):
    hub.submit("tmal", notebooks["partial"])  # the notebook in their folder
    before = set(hub.inbound_keys("tmal"))
    hub.python_as("tmal", SUBMIT_FIFTY)
    keys = sorted(set(hub.inbound_keys("tmal")) - before)
    assert len(keys) == 50
    for key in keys:
        hub.wait_released(key, timeout=240)
    journal = hub.journal()
    states = {k: journal.entries[k].history for k in keys}
    graded = [k for k, h in states.items() if "graded" in h]
    superseded = [k for k, h in states.items() if "superseded" in h]
    newest = max(keys, key=lambda k: (journal.entries[k].submitted_at, k))
    assert newest in graded and len(graded) <= 3, f"{len(graded)} graded: the queue keeps one per student"
    assert len(graded) + len(superseded) == 50, "every submission is either graded or told why not"
    pages = [p.read_text() for p in hub.fetch_feedback("tmal")]
    assert sum("only your newest submission is graded" in p for p in pages) == len(superseded)


def test_a_student_reads_nothing_of_another_nor_of_the_course(hub, notebooks):
    hub.fetch("tann")
    layout = hub.layout
    for path, how in [
        (layout.inbound, "ls"),  # the exchange's inbound: writable, not listable
        (layout.outbound_feedback, "ls"),  # released feedback: only by its secret name
        (hub.home("tann"), "ls"),
        (hub.home("tann") / "two_layer_net" / "two_layer_net.ipynb", "cat"),
        (layout.course, "ls"),
        (layout.course / "gradebook.db", "cat"),
        (layout.journal, "cat"),
        (layout.passwords, "cat"),
    ]:
        done = hub.run_as("tmal", how, str(path), check=False)
        assert done.returncode != 0 and "Permission denied" in done.stderr, f"tmal could {how} {path}: {done.stdout}"


def test_submitting_as_another_or_through_links_and_fifos_is_refused(hub, notebooks):
    from nbgrader.api import Gradebook

    def tann_score():
        with Gradebook(hub.layout.gradebook_url) as gb:
            try:
                return gb.find_submission_notebook("two_layer_net", "two_layer_net", "tann").score
            except Exception:
                return None

    before = tann_score()
    theirs = hub.home("tann") / "two_layer_net" / "two_layer_net.ipynb"
    posing, _ = forge(hub, "tmal", "tann", {"two_layer_net.ipynb": notebooks["solution"].read_text()})
    reasons = {posing: hub.wait_released(posing, timeout=60).reason}
    # One at a time: two pending submissions of one student would have the older superseded.
    link, link_secret = forge(hub, "tmal", "tmal", {"two_layer_net.ipynb": f"link:{theirs}"})
    reasons[link] = hub.wait_released(link, timeout=60).reason
    fifo, _ = forge(hub, "tmal", "tmal", {"two_layer_net.ipynb": "fifo"})
    reasons[fifo] = hub.wait_released(fifo, timeout=60).reason
    assert "was not made by tann" in reasons[posing]
    assert "is not a plain file" in reasons[link] and "is not a plain file" in reasons[fifo]
    assert tann_score() == before, "nobody's grade changed"
    assert "def affine_forward" not in released_page(hub, "tmal", link_secret), "nothing of tann's was read"
