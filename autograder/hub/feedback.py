"""The student's feedback on one submission, released through nbgrader's exchange.

What is shown follows the course's visibility policy, the one Gradescope's results use
(``[gradescope]`` in twolayer/assignment.toml, `autograder.course.gradescope_settings`): the visible
checks' details per ``visible_checks``, the hidden checks' per ``hidden_checks`` (``visible``: at
once; ``after_due_date``: once the gradebook's due date has passed; ``after_published``: once the
instructor publishes, `python -m autograder.hub publish`; ``hidden``: never). As on Gradescope,
while some checks are not shown their points and the total are not shown either.

The page goes where ``nbgrader release_feedback`` puts feedback: ``<exchange>/two_layer_net/
feedback/<md5(submission secret + notebook id)>.html`` (nbgrader.utils.notebook_hash). The
folder cannot be listed; only the student, who holds the secret, finds it: the Assignments tab's
"Fetch Feedback" (``nbgrader fetch_feedback``) copies it into their folder.
"""

from __future__ import annotations

import html
import os
from datetime import datetime, timezone
from pathlib import Path

from nbgrader.utils import notebook_hash

from autograder.course.gradescope_settings import Settings
from autograder.course.late import Lateness
from autograder.course.names import ASSIGNMENT, NOTEBOOK
from autograder.grading.results import SubmissionResult, Visibility
from autograder.reports.feedback import grouped

NOTEBOOK_ID = NOTEBOOK  # nbgrader's notebook id
STYLE = """body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}
.pass{color:#1a7f37}.fail{color:#cf222e}.note{background:#fff8c5;padding:.5em}"""


def shown_now(setting: str, *, due: datetime | None, now: datetime, published: bool) -> bool:
    """Whether checks whose visibility is ``setting`` are shown at ``now`` (Gradescope's values)."""
    if setting == "visible":
        return True
    if setting == "after_due_date":
        return (due is not None and now >= due) or published
    if setting == "after_published":
        return published
    return False  # "hidden"


def path_for(outbound: Path, secret: str) -> Path:
    return outbound / f"{notebook_hash(secret=secret, notebook_id=NOTEBOOK_ID)}.html"


def release(outbound: Path, secret: str, page: str) -> Path:
    """Write the page where fetch_feedback finds it, atomically, readable by its student only
    through its name."""
    dest = path_for(outbound, secret)
    tmp = dest.with_name(f".{dest.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(page)
    os.chmod(tmp, 0o644)
    os.replace(tmp, dest)
    return dest


def _page(title: str, body: list[str]) -> str:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def notice(submitted_at: float, message: str) -> str:
    """A page that says why a submission was not graded (refused, or replaced by a newer one)."""
    return _page(
        f"{ASSIGNMENT}: your submission was not graded",
        [f"<p>Submitted {_when(submitted_at)}.</p>", f"<p class='note'>{html.escape(message)}</p>"],
    )


def _cell_rows(result: SubmissionResult, visibility: Visibility) -> list[str]:
    rows = []
    for cell in result.cells:
        if cell.visibility is not visibility:
            continue
        mark = "<span class='pass'>passed</span>" if cell.passed else "<span class='fail'>failed</span>"
        points = f"{cell.points or 0:g} / {cell.max_points:g}"
        rows.append(f"<tr><td>{html.escape(cell.item)}</td><td>{mark}</td><td>{points}</td></tr>")
    return rows


def _details(result: SubmissionResult, visibility: Visibility) -> list[str]:
    """Each cell's checks: the passed ones by name, the failed ones grouped with their hints."""
    out = []
    for cell in result.cells:
        if cell.visibility is not visibility:
            continue
        out.append(f"<h3>{html.escape(cell.item)} ({visibility} checks)</h3><ul>")
        out += [f"<li class='pass'>PASS {html.escape(f.check)}</li>" for f in cell.findings if f.passed]
        for failure in grouped([cell]):
            more = f" (and {failure.more} more input{'s' * (failure.more > 1)})" if failure.more else ""
            out.append(f"<li class='fail'>FAIL {html.escape(failure.check)}{more}")
            if failure.message:
                out.append(f"<br>{html.escape(failure.message)}")
            if failure.hint:
                out.append(f"<br><em>Hint:</em> {html.escape(failure.hint)}")
            out.append("</li>")
        out.append("</ul>")
    return out


def page(
    result: SubmissionResult,
    *,
    submitted_at: float,
    lateness: Lateness | None,
    shown: dict[Visibility, bool],
    settings: Settings,
    due: datetime | None,
) -> str:
    """The feedback page of a graded (or ungraded) submission; ``shown``: whether the visible and
    the hidden checks' details are shown now (`shown_now`)."""
    body = [f"<p>Submitted {_when(submitted_at)}; graded on {html.escape(result.dataset)}.</p>"]
    if not result.graded:
        body.append(f"<p class='note'>This submission could not be graded: {html.escape(result.reason)}</p>")
        return _page(f"{ASSIGNMENT}: feedback", body)
    if all(shown.values()):
        score = lateness.score(result.score) if lateness else result.score
        body.append(f"<p><strong>Autograded score: {score:g} / {result.max_score:g}</strong></p>")
        if lateness and lateness.seconds_late > 0:
            body.append(f"<p class='note'>{html.escape(lateness.text(result.score, result.max_score))}</p>")
    else:
        when = {
            "after_due_date": f"after the due date ({due:%Y-%m-%d %H:%M %Z})" if due else "after the due date",
            "after_published": "when your instructor publishes them",
        }.get(settings.hidden_checks, "by your instructor only")
        body.append(f"<p class='note'>The hidden checks' results, and with them your total, are shown {when}.</p>")
    for visibility in (Visibility.VISIBLE, Visibility.HIDDEN):
        if not shown[visibility]:
            continue
        body += [
            f"<h2>{visibility.value.capitalize()} checks</h2>",
            "<table><tr><th>item</th><th></th><th>points</th></tr>",
        ]
        body += _cell_rows(result, visibility) + ["</table>"]
        body += _details(result, visibility)
    body.append(f"<p>Inline questions 1 and 2 ({result.manual_points:g} points) are graded by hand.</p>")
    return _page(f"{ASSIGNMENT}: feedback", body)
