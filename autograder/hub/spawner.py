"""JupyterHub's LocalProcessSpawner, with each hub user's JupyterLab run as their own Unix user.

The hub user ``ann`` (her nbgrader student id) runs as the Unix user ``tln-ann``
(`people.unix_name`): LocalProcessSpawner expects the two names to be equal, so the three places
where it looks the user up are given the Unix name. Each role's server reads the Jupyter
settings `install` wrote for it (JUPYTER_CONFIG_DIR): students get nbgrader's Assignments tab
and Validate without the instructor tools, instructors and TAs formgrader on the course folder.
Those settings only hide what a role does not need: what keeps students out of the course
folder and each other's work is the file system (`layout`), not the menus.
"""

from __future__ import annotations

import os
import pwd
import sys
from pathlib import Path

from .layout import HubLayout
from .people import People
from .runtime import user_env


def make_spawner_class():
    """The spawner class (a function, so that this module imports without JupyterHub)."""
    from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
    from traitlets import Unicode

    class CourseSpawner(LocalProcessSpawner):
        hub_dir = Unicode(help="the hub's folder (autograder.hub.layout)").tag(config=True)
        people_file = Unicode(help="hub/people.toml").tag(config=True)

        def person(self):
            person = People.read(Path(self.people_file)).get(self.user.name)
            if person is None:  # the authenticator lets in only the people of the file
                raise RuntimeError(f"{self.user.name} is not in {self.people_file}")
            return person

        def make_preexec_fn(self, name):
            person = self.person()
            setuid = set_user_setuid(person.unix)
            # Staff share the course folder through their group; a student's files are theirs alone.
            umask = 0o007 if person.staff else 0o077

            def preexec():
                setuid()
                os.umask(umask)

            return preexec

        def get_env(self):
            # formgrader works only on a course folder under the server's root: the staff's is the course's.
            if self.person().staff:
                self.notebook_dir = str(HubLayout(Path(self.hub_dir)).course)
            return super().get_env()

        def user_env(self, env):
            person = self.person()
            entry = pwd.getpwnam(person.unix)
            home = Path(entry.pw_dir)
            layout = HubLayout(Path(self.hub_dir))
            env.update(
                USER=person.unix,
                HOME=str(home),
                SHELL=entry.pw_shell,
                JUPYTER_CONFIG_DIR=str(layout.config("staff" if person.staff else "student")),
                # JupyterLab keeps a user's settings in the config folder unless told: theirs stay at home.
                JUPYTERLAB_SETTINGS_DIR=str(home / ".jupyter" / "lab" / "user-settings"),
                JUPYTERLAB_WORKSPACES_DIR=str(home / ".jupyter" / "lab" / "workspaces"),
                PATH=os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
                **user_env(),
            )
            return env

    return CourseSpawner
