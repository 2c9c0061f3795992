"""A real course hub for the tests (`make test-hub`): JupyterHub, its users, its grading service.

One hub per test session, shared by tests/test_autograder/test_hub/ and tests/browser/test_hub.py
(their ``hub`` fixtures both call `shared_hub`): it is started as `make hub` starts it (``python
-m autograder.hub start``) in a temporary folder, with test users of its own (``tln-t...``), and
stopped at the end of the session, its users removed.

The tests marked ``hub`` run when asked for: ``-m hub`` (what `make test-hub` passes) or
TWO_LAYER_NET_HUB_TEST=1; in any other run they skip, with the reason. Asked for, they fail
(never skip) when this is not root or JupyterHub is not installed in this Python: `make test-hub`
runs them with the hub's venv (`make hub-setup`).
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from autograder.hub import passwords, users
from autograder.hub.layout import ENV_VAR, HubLayout
from autograder.hub.people import unix_name
from autograder.hub.queue import Journal
from autograder.hub.runtime import user_env

HUB_MARK = "hub"
INSTRUCTOR, TA = "tinst", "tta"
#: The service's tests use the first four, the browser test (tests/browser/test_hub.py) the last three.
STUDENTS = ("tann", "tben", "teve", "tmal", "tamy", "tbob", "tcat")
ASSIGNMENT = "two_layer_net"


def asked_for(config: pytest.Config) -> bool:
    markexpr = (config.getoption("markexpr", default="") or "").strip()
    return markexpr == HUB_MARK or os.environ.get("TWO_LAYER_NET_HUB_TEST") == "1"


def _free_ports(n: int = 3) -> int:
    """A port p with p .. p+n-1 free on 127.0.0.1 (the hub, its API, the proxy's API)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port + n > 65535:
            continue
        try:
            for offset in range(1, n):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port + offset))
        except OSError:
            continue
        return port
    raise RuntimeError("no free ports")


class HubUnderTest:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.layout = HubLayout(self.root / "hub")
        self.people_file = self.root / "people.toml"
        self.port = _free_ports()
        self.passwords = {name: secrets.token_urlsafe(10) for name in (INSTRUCTOR, TA, *STUDENTS)}
        self.files = self.root / "files"  # what the tests hand to students (readable by them)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return {**os.environ, ENV_VAR: str(self.layout.root)}

    def write_people(self) -> None:
        roster = self.root / "roster.csv"
        roster.write_text("id,first_name,last_name,email\n" + "".join(f"{s},{s.title()},Test,\n" for s in STUDENTS))
        self.people_file.write_text(f'instructors = ["{INSTRUCTOR}"]\ntas = ["{TA}"]\nroster = "roster.csv"\n')

    def hub_command(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "autograder.hub", "--people", str(self.people_file), *args],
            env=self.env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def start(self, jobs: int = 2) -> HubUnderTest:
        self.files.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o755)
        os.chmod(self.files, 0o755)
        if not self.people_file.exists():
            self.write_people()
        done = self.hub_command("start", "--port", str(self.port), "--jobs", str(jobs))
        if done.returncode != 0:
            raise RuntimeError(f"the hub did not start:\n{done.stdout}\n{done.stderr}\n{self.log_tail()}")
        for name, password in self.passwords.items():
            passwords.set_password(self.layout.passwords, name, password)
        return self

    def stop(self) -> None:
        self.hub_command("stop", timeout=120)

    def remove_users(self) -> None:
        names = [unix_name(n) for n in self.passwords]
        users.stop_processes(names)
        for name in names:
            subprocess.run(["userdel", name], capture_output=True)
        if not users.hub_users():  # the groups too, unless a hub of this machine still has users
            for group in users.hub_groups():
                subprocess.run(["groupdel", group], capture_output=True)

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.layout.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no hub log)"

    # ---- acting as a user -----------------------------------------------------------------------
    def home(self, name: str) -> Path:
        return Path(pwd.getpwnam(unix_name(name)).pw_dir)

    def run_as(self, name: str, *command: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
        """``command`` as the user's own Unix user, with their role's Jupyter settings (as their server has)."""
        entry = pwd.getpwnam(unix_name(name))
        role = "staff" if name in (INSTRUCTOR, TA) else "student"
        env = {
            "HOME": entry.pw_dir,
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin", "/bin"]),
            "JUPYTER_CONFIG_DIR": str(self.layout.config(role)),
            "JUPYTERHUB_USER": name,
            "LANG": "C.UTF-8",
            **user_env(),
        }
        done = subprocess.run(
            list(command),
            user=entry.pw_uid,
            group=entry.pw_gid,
            extra_groups=os.getgrouplist(entry.pw_name, entry.pw_gid),
            env=env,
            cwd=entry.pw_dir,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and done.returncode != 0:
            raise AssertionError(
                f"{' '.join(command)} as {name} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
            )
        return done

    def python_as(self, name: str, code: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.run_as(name, sys.executable, "-c", code, *args, check=check)

    def hand_out(self, path: Path) -> Path:
        """A copy of ``path`` that the users can read."""
        dest = self.files / f"{secrets.token_hex(4)}-{path.name}"
        shutil.copyfile(path, dest)
        os.chmod(dest, 0o644)
        return dest

    def nbgrader(self, name: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.run_as(name, sys.executable, "-m", "nbgrader", *args, check=check)

    def fetch(self, name: str) -> Path:
        folder = self.home(name) / ASSIGNMENT
        if not folder.exists():
            self.nbgrader(name, "fetch_assignment", ASSIGNMENT)
        return folder

    def submit(self, name: str, notebook: Path | None = None) -> str:
        """The student's nbgrader submit (of ``notebook`` in place of theirs); the new inbound key."""
        folder = self.fetch(name)
        if notebook is not None:
            self.python_as(name, "import shutil, sys; shutil.copyfile(*sys.argv[1:])", str(self.hand_out(notebook)),
                           str(folder / "two_layer_net.ipynb"))  # fmt: skip
        before = set(self.inbound_keys(name))
        self.nbgrader(name, "submit", ASSIGNMENT)
        (key,) = set(self.inbound_keys(name)) - before
        return key

    def inbound_keys(self, name: str) -> list[str]:
        return sorted(p.name for p in self.layout.inbound.iterdir() if p.name.startswith(f"{name}+"))

    def fetch_feedback(self, name: str) -> list[Path]:
        self.nbgrader(name, "fetch_feedback", ASSIGNMENT)
        return sorted((self.home(name) / ASSIGNMENT / "feedback").rglob("*.html"))

    # ---- the service's side ---------------------------------------------------------------------
    def journal(self) -> Journal:
        return Journal(self.layout.journal)

    def wait_for(self, what: str, check: Callable[[], object], timeout: float = 180) -> object:
        deadline = time.monotonic() + timeout
        while True:
            got = check()
            if got:
                return got
            if time.monotonic() > deadline:
                raise AssertionError(f"waited {timeout:.0f} s for {what}; the hub's log:\n{self.log_tail()}")
            time.sleep(0.5)

    def wait_released(self, key: str, timeout: float = 180):
        def released():
            entry = self.journal().entries.get(key)
            return entry if entry is not None and entry.state == "released" else None

        return self.wait_for(f"the feedback of {key}", released, timeout)

    def latency(self, key: str) -> float:
        """Seconds from the submission (its files' ctime) to the release of its feedback (the journal's)."""
        events = [e for e in map(json.loads, self.layout.journal.read_text().splitlines()) if e["key"] == key]
        released = min(e["time"] for e in events if e["step"] == "released")
        return released - next(e["submitted_at"] for e in events if e["step"] == "seen")

    def events(self, key: str) -> list[str]:
        return [e["step"] for e in map(json.loads, self.layout.journal.read_text().splitlines()) if e["key"] == key]


_HUB: HubUnderTest | None = None


def shared_hub(request: pytest.FixtureRequest) -> HubUnderTest:
    """The session's hub (started on first use, stopped and its users removed at the session's end)."""
    global _HUB
    config = request.config
    if not asked_for(config):
        pytest.skip("the hub's tests run with `make test-hub` (pytest -m hub, or TWO_LAYER_NET_HUB_TEST=1)")
    if os.geteuid() != 0:
        pytest.fail("the hub's tests make Unix users and switch to them: run them as root", pytrace=False)
    try:
        import jupyterhub  # noqa: F401
    except ImportError:
        pytest.fail("JupyterHub is not installed in this Python: `make test-hub` runs the hub's venv", pytrace=False)
    if _HUB is None:
        root = Path(tempfile.mkdtemp(prefix="hub-test-"))
        hub = HubUnderTest(root)

        def cleanup():
            hub.stop()
            hub.remove_users()
            shutil.rmtree(root, ignore_errors=True)

        config.add_cleanup(cleanup)
        _HUB = hub.start()
    return _HUB
