"""hub/zero-to-jupyterhub/values.yaml, the course on Zero to JupyterHub (docs/jupyterhub.md): never
installed on a cluster here, so what can be checked on one machine is: it is YAML of the chart's
shape, the grading service's command is one `python -m autograder.hub` accepts (pointed at a Dask
scheduler), and the students' JupyterLab hides exactly the instructor tools the course hides
everywhere else (twolayer/jupyter_setup.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

from autograder.hub.__main__ import build_parser
from twolayer.jupyter_setup import INSTRUCTOR_PLUGINS

VALUES = Path(__file__).resolve().parents[3] / "hub" / "zero-to-jupyterhub" / "values.yaml"


def values() -> dict:
    return yaml.safe_load(VALUES.read_text())


def services() -> list[dict]:
    """The services extraConfig appends, read from its Python without running it."""
    found = []
    for snippet in values()["hub"]["extraConfig"].values():
        for node in ast.walk(ast.parse(snippet)):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "append":
                found.append(ast.literal_eval(node.args[0]))
    return found


def test_the_grading_service_is_the_hub_packages_and_grades_on_dask():
    (service,) = [s for s in services() if s["name"] == "autograder"]
    command = service["command"]
    assert command[:3] == ["python", "-m", "autograder.hub"]
    args = build_parser().parse_args(command[3:])
    assert args.command == "serve" and args.scheduler.startswith("tcp://") and args.scheduler.endswith(":8786")


def test_ngshare_is_the_exchange_for_the_hub_and_the_students():
    assert any(s["name"] == "ngshare" and s["url"].endswith(":8080") for s in services())
    nbgrader_config = values()["singleuser"]["extraFiles"]["nbgrader-config"]
    assert nbgrader_config["mountPath"] == "/etc/jupyter/nbgrader_config.py"
    assert (
        "configureExchange(" in nbgrader_config["stringData"] and "/services/ngshare" in nbgrader_config["stringData"]
    )


def test_students_lab_hides_the_course_instructor_tools_and_logs_in_through_lti13():
    page_config = values()["singleuser"]["extraFiles"]["lab-page-config"]["data"]
    assert set(page_config["disabledExtensions"]) == set(INSTRUCTOR_PLUGINS)
    hub = values()["hub"]["config"]
    assert hub["JupyterHub"]["authenticator_class"] == "ltiauthenticator.lti13.auth.LTI13Authenticator"
    assert {"issuer", "authorize_url", "jwks_endpoint", "client_id"} <= set(hub["LTI13Authenticator"])
