"""The hub's folders, all under one root (``make hub HUB_DIR=...``), declared once.

Everything the hub keeps between `make hub-stop` and `make hub` is here: JupyterHub's database,
the nbgrader course folder (gradebook, submissions), the exchange, every user's home and the
grading service's journal. Who may read what is decided by these owners and modes, which
`install` applies and `tests/test_autograder/test_hub/` checks as the users themselves:

  <root>/                     root, 0755
    jupyterhub/               root, 0700   JupyterHub's database, cookie secret, log, pid, passwords
    course/                   root:tln-staff, 2770 (setgid)  the nbgrader course folder
    exchange/                 nbgrader's exchange (nbgrader release_assignment sets its modes:
      two_layer_net/inbound   students may write into it but not list it, 0733 + setgid group)
      two_layer_net/feedback  released feedback, 0711 + group: a student finds only their own
    homes/                    root, 0755; homes/tln-<name>, 0700 each, owned by that user
    config/student, config/staff   root, 0755: the Jupyter settings of each role
    service/                  root, 0700   the grading service's journal, scratch and log
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from autograder.course.names import ASSIGNMENT, NOTEBOOK_FILE

#: Every Unix user and group the hub makes starts with this, so that none is taken for the
#: machine's own (and `python -m autograder.hub remove-users` finds exactly the hub's).
PREFIX = "tln-"
#: The instructors' and TAs' group: the course folder and the gradebook are theirs.
STAFF_GROUP = f"{PREFIX}staff"
#: Every student's Unix user is in this group (it owns nothing; it names them).
STUDENT_GROUP = f"{PREFIX}students"
COURSE_ID = ASSIGNMENT  # nbgrader_config.py's course id
NOTEBOOK = NOTEBOOK_FILE
#: What the environment variable names when the hub's folders are elsewhere than HUB_DIR's default.
ENV_VAR = "TWO_LAYER_NET_HUB_DIR"
#: Outside the repository (Makefile: HUB_ROOT): the students may enter the hub's folder, and must not
#: reach the course repository, whose source/ holds the reference solution.
DEFAULT_ROOT = Path("/srv/two_layer_net-hub/state")


@dataclass(frozen=True)
class HubLayout:
    root: Path

    @classmethod
    def from_env(cls) -> HubLayout:
        return cls(Path(os.environ.get(ENV_VAR) or DEFAULT_ROOT).resolve())

    @property
    def jupyterhub(self) -> Path:
        return self.root / "jupyterhub"

    @property
    def passwords(self) -> Path:
        return self.jupyterhub / "passwords.json"

    @property
    def handout(self) -> Path:
        """The first passwords, for the instructor to hand out (root only)."""
        return self.jupyterhub / "first-passwords.txt"

    @property
    def log(self) -> Path:
        return self.jupyterhub / "jupyterhub.log"

    @property
    def pid_file(self) -> Path:
        return self.jupyterhub / "jupyterhub.pid"

    @property
    def course(self) -> Path:
        return self.root / "course"

    @property
    def gradebook_url(self) -> str:
        return f"sqlite:///{self.course / 'gradebook.db'}"

    @property
    def exchange(self) -> Path:
        return self.root / "exchange"

    @property
    def inbound(self) -> Path:
        return self.exchange / COURSE_ID / "inbound"

    @property
    def outbound_feedback(self) -> Path:
        return self.exchange / COURSE_ID / "feedback"

    @property
    def homes(self) -> Path:
        return self.root / "homes"

    def home(self, unix_name: str) -> Path:
        return self.homes / unix_name

    def config(self, role: str) -> Path:
        """The Jupyter settings folder of ``role`` ("student" or "staff")."""
        return self.root / "config" / role

    @property
    def service(self) -> Path:
        return self.root / "service"

    @property
    def journal(self) -> Path:
        return self.service / "journal.jsonl"

    @property
    def published(self) -> Path:
        """Present once the instructor published the hidden checks' details (`python -m autograder.hub publish`)."""
        return self.service / "published"

    @property
    def scratch(self) -> Path:
        return self.service / "grading"

    def submitted(self, student: str) -> Path:
        return self.course / "submitted" / student / ASSIGNMENT

    def autograded(self, student: str) -> Path:
        return self.course / "autograded" / student / ASSIGNMENT


def unreachable_ancestors(path: Path) -> list[Path]:
    """The folders above ``path`` that other users cannot pass through (no o+x): a student's
    server could not reach the exchange or the course's Python through them."""
    return [p for p in Path(path).resolve().parents if not os.stat(p).st_mode & 0o001]
