"""A throwaway nbgrader course around this repository's assignment (for `make demo` and tests).

The real nbgrader commands, run in a course folder of their own: generate the student version,
autograde the submissions, export the grades, generate the feedback. Also reads the gradebook
so that a submission nbgrader could not grade shows as *ungraded*, not as 0.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .reference import REPO

ASSIGNMENT = "two_layer_net"
NOTEBOOK = "two_layer_net"


@dataclass
class NbgraderResult:
    student: str
    status: str            # "graded" or "ungraded"
    score: float | None    # autograded points
    max_score: float
    reason: str = ""


class Course:
    def __init__(self, root: Path, *, cell_timeout: int = 120):
        self.root = Path(root).resolve()
        # nbgrader runs `alembic` and the kernel from PATH: the environment's bin folder first.
        path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
        self.env = {**os.environ, "PATH": path, "TWO_LAYER_NET_CELL_TIMEOUT": str(cell_timeout)}
        self.log = self.root / "nbgrader.log"

    def nbgrader(self, *args: str, check: bool = True, timeout: float = 3600) -> subprocess.CompletedProcess:
        cmd = [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={self.root}"]
        proc = subprocess.run(cmd, cwd=self.root, env=self.env, capture_output=True, text=True, timeout=timeout)
        with open(self.log, "a") as log:
            log.write(f"$ nbgrader {' '.join(args)}\n{proc.stdout}{proc.stderr}\n")
        if check and proc.returncode != 0:
            raise RuntimeError(f"nbgrader {' '.join(args)} failed (exit {proc.returncode}); see {self.log}:\n"
                               + proc.stderr[-2000:])
        return proc

    def create(self) -> "Course":
        """A fresh course folder with the source assignment and the course's nbgrader_config.py."""
        if self.root.exists():
            shutil.rmtree(self.root)
        (self.root / "source").mkdir(parents=True)
        shutil.copytree(REPO / "source" / ASSIGNMENT, self.root / "source" / ASSIGNMENT,
                        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "datasets", "*.npz.tmp"))
        shutil.copy(REPO / "nbgrader_config.py", self.root / "nbgrader_config.py")
        self.nbgrader("generate_assignment", ASSIGNMENT, "--force")
        return self

    @property
    def release_notebook(self) -> Path:
        return self.root / "release" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"

    def submission_path(self, student: str) -> Path:
        return self.root / "submitted" / student / ASSIGNMENT / f"{NOTEBOOK}.ipynb"

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

    def autograde(self) -> None:
        """`nbgrader autograde`, one student at a time so that one's failure stops nobody else."""
        for student in self.students():
            self.nbgrader("autograde", ASSIGNMENT, "--force", f"--student={student}", check=False)

    def results(self) -> dict[str, NbgraderResult]:
        """Autograded scores from the gradebook; ungraded where nbgrader could not grade."""
        from nbgrader.api import Gradebook, MissingEntry

        out = {}
        with Gradebook(f"sqlite:///{self.root / 'gradebook.db'}") as gb:
            for student in self.students():
                graded = (self.root / "autograded" / student / ASSIGNMENT / f"{NOTEBOOK}.ipynb").exists()
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
                out[student] = NbgraderResult(student, status, sum(g.auto_score for g in auto),
                                              sum(g.max_score for g in nb.grades if g.cell.cell_type == "code"),
                                              self._reason(student) if failed else "")
        return out

    def _reason(self, student: str) -> str:
        text = self.log.read_text() if self.log.exists() else ""
        for marker, reason in (("CellTimeoutError", "a cell ran past the time limit"),
                               ("DeadKernelError", "the kernel died"), ("Kernel died", "the kernel died"),
                               ("NotJSONError", "invalid notebook JSON"), ("JSONDecodeError", "invalid notebook JSON"),
                               ("Notebook does not appear to be JSON", "invalid notebook JSON")):
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
