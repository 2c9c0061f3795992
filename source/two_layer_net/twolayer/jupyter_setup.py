"""Turn off nbgrader's instructor tools in your JupyterLab (run once, after installing).

    python -m twolayer.jupyter_setup

nbgrader comes with the course environment for its **Validate** button, and installs its
instructor tools too (Formgrader, Create Assignment, Course List): you do not need them, and
they only work in the instructor's course folder. This turns them off in the Python environment
you run it with (nbgrader's documented way: `jupyter labextension disable` and `jupyter server
extension disable` at the environment's level). Validate and the Assignment List stay on.
"""

from __future__ import annotations

import subprocess
import sys

#: nbgrader's JupyterLab plugins that only an instructor uses.
INSTRUCTOR_PLUGINS = (
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list",
)
#: Their server sides.
INSTRUCTOR_SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.course_list",
)


def main() -> int:
    # The apps' modules rather than `jupyter labextension ...`: that one looks for a
    # jupyter-labextension script on PATH, which an environment that is not activated lacks.
    commands = [
        [sys.executable, "-m", "jupyterlab.labextensions", "disable", "--level=sys_prefix", *INSTRUCTOR_PLUGINS],
        [
            sys.executable,
            "-m",
            "jupyter_server.extension.serverextension",
            "disable",
            "--sys-prefix",
            *INSTRUCTOR_SERVER_EXTENSIONS,
        ],
    ]
    for command in commands:
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            print(f"Could not run {' '.join(command[2:5])}:\n{done.stderr.strip()}", file=sys.stderr)
            return 1
    print(f"nbgrader's instructor tools are off in {sys.prefix}; Validate stays. Start: jupyter lab")
    return 0


if __name__ == "__main__":
    sys.exit(main())
