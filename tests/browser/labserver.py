"""A JupyterLab server for the browser test, isolated from the machine's Jupyter configuration.

``LabServer(root, home).start()`` runs ``python -m jupyter lab`` on a free port of 127.0.0.1 with a
random token, serving ``root`` (a copy of the student version), with HOME, the Jupyter and
JupyterLab config/data/runtime/settings/workspace folders, IPython's and matplotlib's folders all
inside ``home`` (a fresh temporary folder), so that nothing of the machine's or the user's
configuration leaks in. What the environment (``sys.prefix``) installs still applies, as it does
for a student: the JupyterLab extensions and nbgrader's server extensions (enabled again below in
the temporary config, so that they are on even if the environment's config were to change).

The server runs in its own session from the folder it serves (nbgrader's Validate handler reads
``nbgrader_config.py`` from the server's working folder: a student's folder has none), with
``TWO_LAYER_NET_DATASET=digits`` so that the notebook loads scikit-learn's bundled digits, offline
(``dataset="cifar10"`` and ``cifar10_dir``: CIFAR-10 from that folder, for the CIFAR-10 test).
``stop()`` asks the server to shut down (which shuts its kernels down), then terminates it.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

#: nbgrader's server extensions, as `pip install nbgrader` enables them (Validate needs the
#: validate_assignment one; the Nbgrader menu's panels need the others).
NBGRADER_SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.assignment_list",
    "nbgrader.server_extensions.course_list",
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.validate_assignment",
)

#: JupyterLab settings of the test's user: no "Would you like to get notified about official
#: Jupyter news?" toast over the notebook (it would cover the screenshots' bottom right corner,
#: and the machine has no network to fetch news from anyway).
LAB_USER_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}

#: Environment variables that would bring the machine's setup into the server or its kernels.
LEAKY_PREFIXES = (
    "JUPYTER",
    "JPY_",
    "IPYTHON",
    "TWO_LAYER_NET_",
    "MPLCONFIGDIR",
    "PYTHONPATH",
    "PYTHONSTARTUP",
    "CIFAR10_DIR",
    "XDG_",
    "VIRTUAL_ENV",
)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def isolated_env(home: Path, dataset: str = "digits", cifar10_dir: Path | None = None) -> dict[str, str]:
    """The server's environment: the current one without Jupyter settings, HOME & co. in ``home``;
    ``dataset`` for the notebook (TWO_LAYER_NET_DATASET), ``cifar10_dir`` its CIFAR10_DIR."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(LEAKY_PREFIXES)}
    dirs = {
        "HOME": home,
        "JUPYTER_CONFIG_DIR": home / ".jupyter",
        "JUPYTER_DATA_DIR": home / ".local" / "share" / "jupyter",
        "JUPYTER_RUNTIME_DIR": home / ".local" / "share" / "jupyter" / "runtime",
        "JUPYTERLAB_SETTINGS_DIR": home / ".jupyter" / "lab" / "user-settings",
        "JUPYTERLAB_WORKSPACES_DIR": home / ".jupyter" / "lab" / "workspaces",
        "IPYTHONDIR": home / ".ipython",
        "MPLCONFIGDIR": home / ".config" / "matplotlib",
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_CACHE_HOME": home / ".cache",
        "XDG_DATA_HOME": home / ".local" / "share",
    }
    for name, path in dirs.items():
        path.mkdir(parents=True, exist_ok=True)
        env[name] = str(path)
    env["TWO_LAYER_NET_DATASET"] = dataset
    if cifar10_dir is not None:
        env["CIFAR10_DIR"] = str(cifar10_dir)
    env["PYTHONUNBUFFERED"] = "1"
    return env


class LabServer:
    """``python -m jupyter lab`` serving ``root``; ``url(path)`` gives a page's address with the token."""

    def __init__(
        self,
        root: Path,
        home: Path,
        log_path: Path,
        python: str = sys.executable,
        enable_nbgrader: bool = True,
        dataset: str = "digits",
        cifar10_dir: Path | None = None,
    ):
        # dataset, cifar10_dir: what the notebook loads (isolated_env); digits unless a test says so.
        self.dataset, self.cifar10_dir = dataset, cifar10_dir
        # enable_nbgrader=False: the environment's own settings decide which of nbgrader's server
        # extensions run (the student's environment, where twolayer.jupyter_setup turned some off).
        self.enable_nbgrader = enable_nbgrader
        self.root = Path(root)
        self.home = Path(home)
        self.log_path = Path(log_path)
        self.python = python
        self.port = free_port()
        self.token = secrets.token_hex(24)
        self.proc: subprocess.Popen | None = None
        self._log = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}?token={self.token}"

    def _write_config(self, env: dict[str, str]) -> None:
        config_dir = Path(env["JUPYTER_CONFIG_DIR"])
        extensions = NBGRADER_SERVER_EXTENSIONS if self.enable_nbgrader else ()
        config = {"ServerApp": {"jpserver_extensions": {name: True for name in extensions}}}
        (config_dir / "jupyter_server_config.json").write_text(json.dumps(config, indent=1))
        settings_dir = Path(env["JUPYTERLAB_SETTINGS_DIR"])
        for name, value in LAB_USER_SETTINGS.items():
            path = settings_dir / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value, indent=1))

    def command(self) -> list[str]:
        cmd = [
            self.python,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",  # ServerApp.token is deprecated in jupyter_server 2
            f"--ServerApp.root_dir={self.root}",
            "--ServerApp.open_browser=False",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--ServerApp.allow_root=True")  # CI and the course machines run as root
        return cmd

    def start(self, timeout: float = 90) -> LabServer:
        env = isolated_env(self.home, self.dataset, self.cifar10_dir)
        self._write_config(env)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w")  # noqa: SIM115 - open while the server runs; stop() closes it
        self.proc = subprocess.Popen(
            self.command(),
            cwd=self.root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_ready(timeout)
        return self

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def _get(self, path: str, timeout: float = 5) -> bytes:
        request = urllib.request.Request(f"{self.base_url}{path}", headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {self.proc.returncode}:\n{self.log_tail()}")
            try:
                json.loads(self._get("/api/status"))
                # The lab page itself (its extensions' assets are served from the same process).
                self._get("/lab")
                return
            except (urllib.error.URLError, ConnectionError, OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"JupyterLab did not answer within {timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(0.25)

    def stop(self, timeout: float = 20) -> None:
        """Shut the server down: its API first (it stops its kernels), then SIGTERM, then SIGKILL."""
        proc, self.proc = self.proc, None
        try:
            if proc is not None and proc.poll() is None:
                try:
                    request = urllib.request.Request(
                        f"{self.base_url}/api/shutdown",
                        method="POST",
                        data=b"",
                        headers={"Authorization": f"token {self.token}"},
                    )
                    urllib.request.urlopen(request, timeout=5).close()
                    proc.wait(timeout=timeout)
                except (urllib.error.URLError, OSError, subprocess.TimeoutExpired):
                    pass
                for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5)):
                    if proc.poll() is not None:
                        break
                    try:
                        os.killpg(proc.pid, sig)  # the server's own session (start_new_session)
                    except ProcessLookupError:
                        break
                    try:
                        proc.wait(timeout=wait)
                    except subprocess.TimeoutExpired:
                        pass
        finally:
            if self._log is not None:
                self._log.close()
                self._log = None
