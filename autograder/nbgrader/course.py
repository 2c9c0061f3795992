"""A throwaway nbgrader course around this repository's assignment, and the one way this project
runs nbgrader (`make release`, `make demo`, the tests and the benchmarks all come here).

A course folder holds a copy of source/two_layer_net (its `release_files`) and the course's
nbgrader_config.py, nothing else. `Course.nbgrader` runs the real nbgrader commands in it (generate
the student version, autograde the submissions, export the grades, generate the feedback) with
that configuration alone, and `Course.results` reads the gradebook so that a submission nbgrader
could not grade shows as *ungraded*, not as 0.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from autograder.course.names import ASSIGNMENT, NOTEBOOK, NOTEBOOK_FILE
from autograder.course.reference import REPO
from autograder.course.release import SOURCE, STUDENT_ENVIRONMENT, copy_assignment, differences

from .gradebook import registered

CONFIG = REPO / "nbgrader_config.py"


class NbgraderError(RuntimeError):
    """An nbgrader command failed or ran past its time; the message ends with the tail of its output."""


@dataclass
class NbgraderResult:
    student: str
    status: str  # "graded" or "ungraded"
    score: float | None  # autograded points
    max_score: float
    reason: str = ""


class Course:
    """A course folder at ``root`` (made by `create`, or by the caller for another assignment).

    Args:
        root: the course folder.
        cell_timeout: seconds a notebook cell may run under nbgrader (TWO_LAYER_NET_CELL_TIMEOUT,
            which nbgrader_config.py reads); None leaves the configuration's default.
        env: more environment variables for the nbgrader commands (``self.env`` holds them all).
    """

    def __init__(self, root: Path, *, cell_timeout: int | None = 120, env: Mapping[str, str] | None = None):
        self.root = Path(root).resolve()
        self.log = self.root / "nbgrader.log"
        self.env = dict(os.environ)
        # nbgrader runs `alembic` and the kernel from PATH: the environment's bin folder first.
        self.env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), self.env.get("PATH", os.defpath)])
        # The course's nbgrader_config.py alone: no ~/.jupyter or system-wide settings. With
        # JUPYTER_NO_CONFIG, jupyter_core makes an empty config folder in the temporary folder
        # and never removes it: the temporary folder is one inside the course folder.
        self.env["JUPYTER_NO_CONFIG"] = "1"
        self.env["TMPDIR"] = str(self.root / ".tmp")
        if cell_timeout is not None:
            self.env["TWO_LAYER_NET_CELL_TIMEOUT"] = str(cell_timeout)
        self.env.update(env or {})

    def nbgrader(
        self, *args: str, check: bool = True, timeout: float = 3600, on_line: Callable[[str], None] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run ``nbgrader ARGS --CourseDirectory.root=ROOT`` in the course folder.

        Its output (stdout and stderr as they interleave) is appended to ``nbgrader.log`` after a
        ``$ nbgrader ARGS`` line, passed line by line to ``on_line`` as it arrives, and returned as
        the result's ``stdout``.

        Raises:
            NbgraderError: with ``check``, when the command fails; always, when it runs past
                ``timeout`` seconds (it is killed then).
        """
        (self.root / ".tmp").mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={self.root}"]
        output: list[str] = []
        killed = threading.Event()
        with open(self.log, "a") as log:
            log.write(f"$ nbgrader {' '.join(args)}\n")
            proc = subprocess.Popen(
                cmd,
                cwd=self.root,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            timer = threading.Timer(timeout, lambda: (killed.set(), proc.kill()))
            timer.start()
            try:
                for line in proc.stdout:
                    log.write(line)
                    output.append(line)
                    if on_line is not None:
                        on_line(line)
            except BaseException:  # deliberate: no nbgrader left running, whatever stopped us
                proc.kill()
                raise
            finally:
                timer.cancel()
                returncode = proc.wait()
                log.write("\n")
        text = "".join(output)
        if killed.is_set() or (check and returncode != 0):
            why = f"was stopped after {timeout:g} s" if killed.is_set() else f"failed (exit {returncode})"
            raise NbgraderError(
                f"`nbgrader {' '.join(args)}` {why} in {self.root}; its whole output is in "
                f"{self.log}. The end of it:\n{text[-2000:]}"
            )
        return subprocess.CompletedProcess(cmd, returncode, text, "")

    def create(self, source: Path = SOURCE, *, generate: bool = True) -> Course:
        """Make the course folder afresh: ``source`` (its release_files()) as the assignment's source,
        the course's nbgrader_config.py and, with ``generate``, the student version made by
        ``nbgrader generate_assignment``."""
        if self.root.exists():
            shutil.rmtree(self.root)
        copy_assignment(source, self.root / "source" / ASSIGNMENT)
        shutil.copyfile(CONFIG, self.root / "nbgrader_config.py")
        if generate:
            self.nbgrader("generate_assignment", ASSIGNMENT, "--force")
            if not self.release_notebook.is_file():
                raise NbgraderError(f"nbgrader generate_assignment made no {self.release_notebook}: see {self.log}")
        return self

    @property
    def release_notebook(self) -> Path:
        return self.root / "release" / ASSIGNMENT / NOTEBOOK_FILE

    def submission_path(self, student: str) -> Path:
        return self.root / "submitted" / student / ASSIGNMENT / NOTEBOOK_FILE

    def submit(self, student: str, notebook: Path | None = None, raw: str | None = None) -> Path:
        """Put a student's notebook (a file, or raw text) where `nbgrader collect` would."""
        dest = self.submission_path(student)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if raw is not None:
            dest.write_text(raw)
        else:
            shutil.copy(notebook, dest)
        (dest.parent / "timestamp.txt").write_text("2026-11-27 12:00:00.000000 UTC")
        return dest

    def students(self) -> list[str]:
        base = self.root / "submitted"
        return sorted(p.name for p in base.iterdir() if p.is_dir()) if base.exists() else []

    def autograde(self, on_student: Callable[[str], None] | None = None) -> None:
        """`nbgrader autograde`, one student at a time so that one's failure stops nobody else;
        ``on_student(student)`` after each (a progress bar)."""
        for student in self.students():
            self.nbgrader("autograde", ASSIGNMENT, "--force", f"--student={student}", check=False)
            if on_student is not None:
                on_student(student)

    @property
    def registered(self) -> bool:
        """Whether the gradebook knows the assignment (`nbgrader autograde` needs it)."""
        return registered(self.root)

    def register(self) -> list[str]:
        """Record the assignment in the gradebook (notebook, grade cells, points, checksums), as
        `nbgrader generate_assignment` does, without touching ``release/``: nbgrader writes its
        student version into a scratch folder, which is compared with ``release/`` and removed.

        Returns:
            how ``release/`` differs from what ``source/`` gives now (empty: up to date).
        """
        scratch = Path(".tmp") / "register-release"
        self.nbgrader("generate_assignment", ASSIGNMENT, "--force", f"--CourseDirectory.release_directory={scratch}")
        try:
            found = differences(self.root / scratch / ASSIGNMENT, self.release_notebook.parent)
            # make release adds the students' environment files, which nbgrader does not write
            return [p for p in found if p not in {f"unexpected: {name}" for name in STUDENT_ENVIRONMENT}]
        finally:
            shutil.rmtree(self.root / scratch, ignore_errors=True)

    def import_roster(self, csv_path: Path) -> str:
        """`nbgrader db student import CSV`: the columns ``id`` (required), ``first_name``,
        ``last_name``, ``email``. Returns nbgrader's output."""
        return self.nbgrader("db", "student", "import", str(Path(csv_path).resolve())).stdout

    def results(self) -> dict[str, NbgraderResult]:
        """Autograded scores from the gradebook; ungraded where nbgrader could not grade."""
        from nbgrader.api import Gradebook, MissingEntry

        out = {}
        with Gradebook(f"sqlite:///{self.root / 'gradebook.db'}") as gb:
            for student in self.students():
                graded = (self.root / "autograded" / student / ASSIGNMENT / NOTEBOOK_FILE).exists()
                try:
                    nb = gb.find_submission_notebook(NOTEBOOK, ASSIGNMENT, student)
                except MissingEntry:
                    nb = None
                if nb is None or not graded:
                    out[student] = NbgraderResult(student, "ungraded", None, 0.0, self._reason(student))
                    continue
                auto = [g for g in nb.grades if g.cell.cell_type == "code" and g.auto_score is not None]
                failed = any(g.auto_score is None for g in nb.grades if g.cell.cell_type == "code")
                status = "ungraded" if failed else "graded"
                out[student] = NbgraderResult(
                    student,
                    status,
                    sum(g.auto_score for g in auto),
                    sum(g.max_score for g in nb.grades if g.cell.cell_type == "code"),
                    self._reason(student) if failed else "",
                )
        return out

    def _reason(self, student: str) -> str:
        text = self.log.read_text() if self.log.exists() else ""
        for marker, reason in (
            ("NotGraded", "not graded: the sandbox could not start, or the grader failed (not the student's doing)"),
            ("CellTimeoutError", "a cell ran past the time limit"),
            ("DeadKernelError", "the kernel died"),
            ("Kernel died", "the kernel died"),
            ("NotJSONError", "invalid notebook JSON"),
            ("JSONDecodeError", "invalid notebook JSON"),
            ("Notebook does not appear to be JSON", "invalid notebook JSON"),
        ):
            block = text.split(f"--student={student}")[-1].split("$ nbgrader")[0]
            if marker in block:
                return reason
        return "nbgrader could not grade it (see nbgrader.log)"

    def set_manual_grade(self, student: str, grade_id: str, points: float, comment: str = "") -> None:
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{self.root / 'gradebook.db'}") as gb:
            grade = gb.find_grade(grade_id, NOTEBOOK, ASSIGNMENT, student)
            grade.manual_score = points
            if comment:
                gb.find_comment(grade_id, NOTEBOOK, ASSIGNMENT, student).manual_comment = comment
            gb.db.commit()

    def export(self, path: Path) -> Path:
        self.nbgrader("export", f"--to={path}")
        return path

    def feedback(self) -> list[Path]:
        self.nbgrader("generate_feedback", ASSIGNMENT, "--force", check=False)
        return sorted((self.root / "feedback").rglob("*.html"))
