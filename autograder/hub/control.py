"""`make hub` and `make hub-stop`: JupyterHub in the background on 127.0.0.1, and stopping it.

``start`` lays the hub out (`install`), starts ``jupyterhub -f hub/jupyterhub_config.py`` in a
session of its own (its log in <hub>/jupyterhub/jupyterhub.log) and returns once the hub answers
and its grading service has started. ``stop`` sends it SIGTERM: JupyterHub then stops the users'
servers, its services and the proxy it started, and its state stays on disk for the next start.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from autograder.course.reference import REPO

from .install import install
from .layout import ENV_VAR, HubLayout
from .people import People

CONFIG = REPO / "hub" / "jupyterhub_config.py"
PROXY = REPO / "hub" / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
DEFAULT_PORT = 8000


def hub_env(layout: HubLayout, people_file: Path, port: int, jobs: int) -> dict[str, str]:
    """What hub/jupyterhub_config.py reads."""
    return {
        **os.environ,
        ENV_VAR: str(layout.root),
        "TWO_LAYER_NET_HUB_PEOPLE": str(Path(people_file).resolve()),
        "TWO_LAYER_NET_HUB_PORT": str(port),
        "TWO_LAYER_NET_HUB_JOBS": str(jobs),
    }


def running_pid(layout: HubLayout) -> int | None:
    try:
        pid = int(layout.pid_file.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def wait_ready(port: int, proc: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterHub exited with {proc.returncode}; its log ({log}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/hub/api/", timeout=5) as r:
                json.loads(r.read())
            if "Starting service 'autograder'" in log.read_text(errors="replace"):
                return
        except (urllib.error.URLError, OSError, ValueError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"JupyterHub did not answer within {timeout:.0f} s; see {log}")
        time.sleep(0.5)


def start(layout: HubLayout, people_file: Path, *, port: int = DEFAULT_PORT, jobs: int = 1) -> int:
    if not PROXY.exists():
        print(f"{PROXY} is missing: `make hub` installs it (npm ci in hub/proxy)", file=sys.stderr)
        return 2
    pid = running_pid(layout)
    if pid:
        print(f"The hub is already running (pid {pid}): http://127.0.0.1:{port}/  (make hub-stop stops it)")
        return 0
    new = install(layout, People.read(people_file))
    with open(layout.log, "a") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)],
            cwd=layout.jupyterhub,
            env=hub_env(layout, people_file, port, jobs),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    wait_ready(port, proc, layout.log)
    print(f"The course's hub: http://127.0.0.1:{port}/  (log: {layout.log}; make hub-stop stops it)")
    if new:
        print(f"First passwords of {', '.join(new)}: in {layout.handout} (root only)")
    return 0


def stop(layout: HubLayout, timeout: float = 60) -> int:
    pid = running_pid(layout)
    if pid is None:
        print("The hub is not running.")
        return 0
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.waitpid(pid, os.WNOHANG)  # reap it, when it is our child (the tests start it)
        except ChildProcessError:
            pass
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            print("The hub has stopped; its state stays in", layout.root)
            return 0
        time.sleep(0.3)
    os.killpg(pid, signal.SIGKILL)
    print(f"The hub did not stop within {timeout:.0f} s and was killed", file=sys.stderr)
    return 1
