"""The grading service: notices submissions, grades them, records them, releases feedback.

    python -m autograder.hub serve [--jobs N]        (the hub starts it: hub/jupyterhub_config.py)

Every second it lists the exchange's inbound; a new complete submission is written to the
journal (`queue`) and queued. Up to ``--jobs`` students are graded at once, one submission per
student at a time: when a student submitted several times before their turn, only the newest is
graded and the others get a page saying so (fifty submissions in a minute cost one grading, and
none is lost: each stays in the inbound and the journal). A submission then goes through the
journal's steps, each idempotent, so that a restart resumes where it stopped. Every 30 seconds
released feedback is checked against the visibility policy: when the due date passes (or the
instructor publishes), the hidden checks' details are released.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

from autograder.course.gradescope_settings import Settings
from autograder.course.late import LatePolicy
from autograder.course.names import ASSIGNMENT
from autograder.grading.results import Status, SubmissionResult, Visibility

from . import feedback, inbound, record
from .grader import GraderFailed, grade
from .layout import NOTEBOOK, HubLayout
from .people import People, Person
from .queue import Entry, Journal

log = logging.getLogger("autograder.hub")
RECHECK_SECONDS = 30.0
#: A submission whose steps fail this often (in one run of the service) is refused, with the reason.
MAX_FAILURES = 3


class Service:
    def __init__(self, layout: HubLayout, people_file: Path, *, jobs: int = 1, grader_options: tuple[str, ...] = ()):
        self.layout, self.people_file, self.grader_options = layout, Path(people_file), grader_options
        self.journal = Journal(layout.journal)
        self.settings, self.policy = Settings.from_settings(), LatePolicy.from_settings()
        self.pool = ThreadPoolExecutor(max(1, jobs), thread_name_prefix="grading")
        self.busy: set[str] = set()
        self.busy_lock, self.gradebook_lock = threading.Lock(), threading.Lock()
        self.stopping = threading.Event()
        self.last_recheck = 0.0
        self.failures: dict[str, int] = {}

    # ---- the loop ------------------------------------------------------------------------------
    def run(self, poll: float = 1.0) -> None:
        log.info("watching %s (journal %s)", self.layout.inbound, self.journal.path)
        while not self.stopping.is_set():
            self.step()
            self.stopping.wait(poll)
        self.pool.shutdown(wait=True, cancel_futures=True)

    def step(self) -> None:
        self.notice()
        self.dispatch()
        if time.time() - self.last_recheck > RECHECK_SECONDS:
            self.last_recheck = time.time()
            self.recheck_visibility()

    def notice(self) -> None:
        now = time.time()
        for key in inbound.scan(self.layout.inbound):
            if key not in self.journal.entries and inbound.ready(self.layout.inbound, key, now):
                self.journal.seen(key, inbound.student_of(key), inbound.submitted_at(self.layout.inbound, key))
                log.info("new submission %s", key)

    def dispatch(self) -> None:
        """Queue each idle student's newest unfinished submission; supersede their older pending ones."""
        by_student: dict[str, list[Entry]] = {}
        for entry in self.journal.snapshot():
            if entry.state != "released":
                by_student.setdefault(entry.student, []).append(entry)
        for student, entries in by_student.items():
            with self.busy_lock:
                if student in self.busy:
                    continue
                self.busy.add(student)
            entries.sort(key=lambda e: (e.submitted_at, e.key))
            pending = [e for e in entries if e.pending]
            for older in pending[:-1]:
                self.journal.write("superseded", older.key, reason=f"superseded by {pending[-1].key}")
            self.pool.submit(self._work, student, [e for e in entries if not e.pending] + pending[-1:])

    def _work(self, student: str, entries: list[Entry]) -> None:
        entry = None
        try:
            for entry in entries:
                if not self.stopping.is_set():
                    self.advance(entry)
        except Exception as exc:  # deliberate: one submission's failure must not stop the service
            log.exception("while handling %s", entry.key if entry else student)
            self.failures[entry.key] = self.failures.get(entry.key, 0) + 1
            if self.failures[entry.key] >= MAX_FAILURES and entry.state != "released":
                # Tried often enough: say so to the student, rather than trying forever.
                self.journal.write("refused", entry.key, reason=f"the grading service failed on it ({exc!r})")
        finally:
            with self.busy_lock:
                self.busy.discard(student)

    # ---- one submission's steps ----------------------------------------------------------------
    def advance(self, entry: Entry) -> None:
        """Take ``entry`` through its remaining steps (each resumable)."""
        if entry.state in ("refused", "superseded"):
            self.release_notice(entry)
            return
        if entry.state == "seen":
            try:
                files = inbound.read(self.layout.inbound, entry.key)
            except inbound.Refused as exc:
                self.journal.write("refused", entry.key, reason=str(exc))
                self.release_notice(entry)
                return
            result = self.grade(entry, files)
            self.journal.write("graded", entry.key, result=result.to_dict())
        result = SubmissionResult.from_dict(entry.result)
        if entry.state == "graded":
            self.record(entry, self.graded_files(entry), result)
        if entry.state == "recorded":
            self.release(entry, result)

    def graded_files(self, entry: Entry) -> dict[str, bytes]:
        """The files that were graded (the grader's copy: the student may have removed theirs since)."""
        folder = self.layout.scratch / entry.key / ASSIGNMENT
        return {name: (folder / name).read_bytes() for name in record.KEPT if (folder / name).is_file()}

    def grade(self, entry: Entry, files: inbound.Files) -> SubmissionResult:
        workdir = self.layout.scratch / entry.key
        folder = workdir / ASSIGNMENT
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(workdir, 0o711)
        for name in record.KEPT:
            if name in files.data:
                (folder / name).write_bytes(files.data[name])
        started = time.monotonic()
        try:
            result = grade(folder, workdir, options=self.grader_options)
        except (GraderFailed, OSError) as exc:
            log.error("grading %s failed: %s", entry.key, exc)
            result = SubmissionResult(
                str(folder / NOTEBOOK), entry.student, Status.UNGRADED, reason="the grader failed"
            )
        log.info("graded %s: %s/%s in %.1f s", entry.key, result.score, result.max_score, time.monotonic() - started)
        return result

    def _lateness(self, student: str, submitted_at: float):
        due = record.due_date(self.layout, student)
        return (self.policy.apply(submitted_at - due.timestamp()) if due else None), due

    def record(self, entry: Entry, files: dict[str, bytes], result: SubmissionResult) -> None:
        newest = self.journal.newest_counted(entry.student)
        counted = newest is None or (newest.submitted_at, newest.key) <= (entry.submitted_at, entry.key)
        if counted:
            person = People.read(self.people_file).get(entry.student) or Person(entry.student, "student")
            with self.gradebook_lock:
                lateness, _ = self._lateness(entry.student, entry.submitted_at)
                record.record(self.layout, person, files, result, entry.submitted_at, lateness)
        self.journal.write("recorded", entry.key, counted=counted)

    def shown(self, due: datetime | None) -> dict[Visibility, bool]:
        now, published = datetime.now(timezone.utc), self.layout.published.exists()
        return {
            Visibility.VISIBLE: feedback.shown_now(self.settings.visible_checks, due=due, now=now, published=published),
            Visibility.HIDDEN: feedback.shown_now(self.settings.hidden_checks, due=due, now=now, published=published),
        }

    def release(self, entry: Entry, result: SubmissionResult) -> None:
        secret = inbound.secret_of(self.layout.inbound, entry.key)
        with self.gradebook_lock:
            lateness, due = self._lateness(entry.student, entry.submitted_at)
        shown = self.shown(due)
        page = feedback.page(
            result, submitted_at=entry.submitted_at, lateness=lateness, shown=shown, settings=self.settings, due=due
        )
        if secret:
            feedback.release(self.layout.outbound_feedback, secret, page)
        self.journal.write("released", entry.key, hidden_shown=shown[Visibility.HIDDEN])

    def release_notice(self, entry: Entry) -> None:
        secret = inbound.secret_of(self.layout.inbound, entry.key)
        if entry.state == "superseded":
            message = (
                "You submitted again before this submission was graded: only your newest submission is graded, "
                "and its feedback is on it."
            )
        else:
            message = f"This submission cannot be graded: {entry.reason}"
        if secret:
            feedback.release(self.layout.outbound_feedback, secret, feedback.notice(entry.submitted_at, message))
        self.journal.write("released", entry.key, hidden_shown=None)

    def recheck_visibility(self) -> None:
        """Release again the feedback whose hidden checks' visibility has changed since."""
        for entry in self.journal.snapshot():
            if entry.state != "released" or entry.result is None or entry.hidden_shown is None:
                continue
            with self.gradebook_lock:
                _, due = self._lateness(entry.student, entry.submitted_at)
            if self.shown(due)[Visibility.HIDDEN] != entry.hidden_shown:
                self.release(entry, SubmissionResult.from_dict(entry.result))

    def stop(self) -> None:
        self.stopping.set()


def serve(
    layout: HubLayout, people_file: Path, *, jobs: int = 1, poll: float = 1.0, grader_options: tuple[str, ...] = ()
) -> int:
    os.umask(0o007)  # the course folder's files stay the staff group's (layout)
    service = Service(layout, people_file, jobs=jobs, grader_options=grader_options)

    def on_term(signum, frame):  # the hub stops its services with SIGTERM: stop the graders too
        service.stop()
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if os.getpgid(0) == os.getpid():
            os.killpg(0, signal.SIGTERM)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    service.run(poll)
    return 0
