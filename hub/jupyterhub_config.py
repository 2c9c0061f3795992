"""JupyterHub's configuration for the two_layer_net course (`make hub`; docs/jupyterhub.md).

`python -m autograder.hub start` lays the hub out (autograder/hub/install.py) and runs
`jupyterhub -f hub/jupyterhub_config.py` with the settings below in its environment:
TWO_LAYER_NET_HUB_DIR (the hub's folder), TWO_LAYER_NET_HUB_PEOPLE (hub/people.toml),
TWO_LAYER_NET_HUB_PORT (8000) and TWO_LAYER_NET_HUB_JOBS (1).
Everything listens on 127.0.0.1 only: the hub's port, the hub's API on the next one, the
proxy's API on the one after.
"""

import os
import sys
from pathlib import Path

from autograder.hub.layout import ENV_VAR, HubLayout
from autograder.hub.passwords import make_authenticator_class
from autograder.hub.people import People
from autograder.hub.spawner import make_spawner_class

c = get_config()  # noqa: F821 - traitlets provides get_config() to config files

HERE = Path(__file__).resolve().parent
layout = HubLayout.from_env()
people_file = Path(os.environ.get("TWO_LAYER_NET_HUB_PEOPLE") or HERE / "people.toml")
people = People.read(people_file)
port = int(os.environ.get("TWO_LAYER_NET_HUB_PORT", "8000"))
bin_dir = Path(sys.executable).parent

# ---- where it listens, where it keeps its state ------------------------------------------------
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = port
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = port + 1
# configurable-http-proxy, pinned in hub/proxy/package-lock.json (`make hub` runs npm ci there).
c.ConfigurableHTTPProxy.command = [str(HERE / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{port + 2}"
c.JupyterHub.db_url = f"sqlite:///{layout.jupyterhub / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(layout.jupyterhub / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(layout.pid_file)

# ---- who logs in ---------------------------------------------------------------------------------
# The hub's own password file (scrypt hashes; autograder/hub/passwords.py): the Unix users have no
# password and cannot log in to the machine.
c.JupyterHub.authenticator_class = make_authenticator_class()
c.CoursePasswordAuthenticator.password_file = str(layout.passwords)
c.Authenticator.allowed_users = {p.name for p in people}
c.Authenticator.admin_users = {p.name for p in people.of_role("instructor")}
c.JupyterHub.load_groups = {
    "instructors": {"users": [p.name for p in people.of_role("instructor")]},
    "tas": {"users": [p.name for p in people.of_role("ta")]},
    "students": {"users": [p.name for p in people.students]},
}

# ---- each user's JupyterLab, as their own Unix user ---------------------------------------------
c.JupyterHub.spawner_class = make_spawner_class()
c.CourseSpawner.hub_dir = str(layout.root)
c.CourseSpawner.people_file = str(people_file)
c.Spawner.cmd = [str(bin_dir / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
# A busy 2-core machine takes a while to start JupyterLab.
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120

# ---- the grading service (autograder/hub/service.py), started and restarted by the hub ----------
c.JupyterHub.services = [
    {
        "name": "autograder",
        "command": [
            sys.executable,
            "-m",
            "autograder.hub",
            "--people",
            str(people_file),
            "serve",
            "--jobs",
            os.environ.get("TWO_LAYER_NET_HUB_JOBS", "1"),
        ],  # fmt: skip
        "environment": {
            ENV_VAR: str(layout.root),
            "PATH": os.environ.get("PATH", os.defpath),
            "OPENBLAS_NUM_THREADS": "1",
            **{
                k: v
                for k, v in os.environ.items()
                if k.startswith(("AUTOGRADER_", "CIFAR10_DIR", "TWO_LAYER_NET_DATASET"))
            },
        },
    }
]
