"""Fixtures of the browser test: Debian's Chromium driven by Playwright, a JupyterLab server on a
copy of the student version, and the screenshots folder.

The browser test runs when asked for: `make test-browser`, ``pytest tests/browser``, ``pytest -m
browser`` or ``TWO_LAYER_NET_BROWSER_TEST=1``. In a run of the whole suite (``make test``) it is
skipped, with the reason. It skips, again with the reason, when Chromium or Playwright is not
installed (``bash tools/browser_setup.sh`` installs both).

The CIFAR-10 browser test (marked ``browser_cifar10``: it trains for minutes) runs only when asked
for by itself: `make test-browser-cifar10` (``-m browser_cifar10``), its module named on the command
line, or ``TWO_LAYER_NET_BROWSER_CIFAR10=1``; `make test-browser` skips it, with the reason. It needs
CIFAR-10 (``CIFAR10_DIR``): asked for without it, it fails and says to run `make cifar10`.

Settings (environment variables):
    TWO_LAYER_NET_CHROMIUM            the browser (default: /usr/bin/chromium, else `chromium` on PATH)
    TWO_LAYER_NET_BROWSER_ARTIFACTS   where the screenshots go (default: test-artifacts/browser/)
    TWO_LAYER_NET_BROWSER_TEST=1      run the browser test in any pytest run
    TWO_LAYER_NET_BROWSER_CIFAR10=1   run the CIFAR-10 browser test too
    CIFAR10_DIR                       where CIFAR-10 is (the folder holding cifar-10-batches-py/)
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RELEASE_DIR = ROOT / "release" / "two_layer_net"
SOURCE_DIR = ROOT / "source" / "two_layer_net"
NOTEBOOK = "two_layer_net.ipynb"
ARTIFACTS = Path(os.environ.get("TWO_LAYER_NET_BROWSER_ARTIFACTS") or ROOT / "test-artifacts" / "browser")

#: Debian's Chromium, headless, without any of its background traffic (the machines have no
#: network but the package registries: without these flags it keeps trying to reach Google).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-features=Translate,MediaRouter,OptimizationHints",
    "--metrics-recording-only",
    "--no-default-browser-check",
    "--password-store=basic",
]
VIEWPORT = {"width": 1400, "height": 1000}


#: The marker of the browser test that trains on CIFAR-10 (minutes): run only when asked for by itself.
CIFAR10_MARK = "browser_cifar10"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives JupyterLab in headless Chromium (make test-browser)")
    config.addinivalue_line(
        "markers",
        f"{CIFAR10_MARK}: the student's loop on CIFAR-10 in the browser, minutes of training "
        "(make test-browser-cifar10 only)",
    )


def _markexpr(config: pytest.Config) -> str:
    return (config.getoption("markexpr", default="") or "").strip()


def _arg_paths(config: pytest.Config) -> list[Path]:
    """The paths named on the command line, resolved."""
    paths = []
    for arg in config.args:
        path = Path(arg.split("::")[0])
        paths.append((path if path.is_absolute() else Path(config.invocation_params.dir) / path).resolve())
    return paths


def _asked_for(config: pytest.Config) -> bool:
    """Whether this run asked for the browser test (by path, by -m browser or by the variable)."""
    if os.environ.get("TWO_LAYER_NET_BROWSER_TEST") == "1" or _asked_for_cifar10(config):
        return True
    if _markexpr(config) == "browser":
        return True
    return any(path == HERE or HERE in path.parents for path in _arg_paths(config))


def _asked_for_cifar10(config: pytest.Config, module: Path | None = None) -> bool:
    """Whether this run asked for the CIFAR-10 browser test itself: ``-m browser_cifar10`` (what
    `make test-browser-cifar10` passes), ``module`` named on the command line, or the variable.
    ``pytest tests/browser`` (`make test-browser`, CI) is not enough: it trains for minutes."""
    if os.environ.get("TWO_LAYER_NET_BROWSER_CIFAR10") == "1" or _markexpr(config) == CIFAR10_MARK:
        return True
    return module is not None and module.resolve() in _arg_paths(config)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    browser_items = [item for item in items if HERE in Path(str(item.path)).resolve().parents]
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
    if browser_items and not _asked_for(config):
        skip = pytest.mark.skip(
            reason="the browser test runs with `make test-browser` "
            "(or pytest tests/browser, or TWO_LAYER_NET_BROWSER_TEST=1)"
        )
        for item in browser_items:
            item.add_marker(skip)
        return
    skip_cifar10 = pytest.mark.skip(
        reason="the CIFAR-10 browser test trains for minutes: it runs with `make test-browser-cifar10` "
        "(or pytest -m browser_cifar10, or TWO_LAYER_NET_BROWSER_CIFAR10=1)"
    )
    for item in browser_items:
        if item.get_closest_marker(CIFAR10_MARK) and not _asked_for_cifar10(config, Path(str(item.path))):
            item.add_marker(skip_cifar10)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)  # the page fixture takes a screenshot on failure


def chromium_executable() -> str | None:
    configured = os.environ.get("TWO_LAYER_NET_CHROMIUM")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """test-artifacts/browser/, emptied of the previous run's screenshots and logs."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in [*ARTIFACTS.glob("*.png"), *ARTIFACTS.glob("*.log")]:
        old.unlink()
    return ARTIFACTS


@pytest.fixture(scope="session")
def playwright_chromium():
    """(playwright, path of Chromium); skips when either is missing."""
    executable = chromium_executable()
    if executable is None:
        pytest.skip(
            "Chromium is not installed (/usr/bin/chromium or TWO_LAYER_NET_CHROMIUM): "
            "run `bash tools/browser_setup.sh` (Debian: apt-get install chromium)"
        )
    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason="Playwright is not installed in this Python: run `bash tools/browser_setup.sh` "
        "(or pip install '.[browser]')",
    )
    with sync_api.sync_playwright() as playwright:
        yield playwright, executable


@pytest.fixture(scope="module")
def student_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh copy of release/two_layer_net: the folder a student gets (no caches, no outputs)."""
    folder = tmp_path_factory.mktemp("student") / "two_layer_net"
    shutil.copytree(
        RELEASE_DIR,
        folder,
        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "datasets", "best_model.npz"),
    )
    return folder


@pytest.fixture(scope="module")
def lab_server(playwright_chromium, student_folder: Path, artifacts: Path, tmp_path_factory: pytest.TempPathFactory):
    """JupyterLab serving the student folder, with a fresh HOME; stopped at the end."""
    from labserver import LabServer

    server = LabServer(student_folder, tmp_path_factory.mktemp("home"), artifacts / "jupyterlab.log")
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def page(request: pytest.FixtureRequest, playwright_chromium, artifacts: Path):
    """A page of a fresh headless Chromium (new profile); a screenshot is saved if the test fails."""
    from playwright.sync_api import Error as playwright_error
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)  # Playwright's default, 5 s, is short for a busy 2-core machine
    playwright, executable = playwright_chromium
    console: list[str] = []
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=executable,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=VIEWPORT,
            device_scale_factor=1,
            locale="en-US",
            timezone_id="UTC",
        )
        try:
            context.set_default_timeout(30_000)
            pg = context.pages[0] if context.pages else context.new_page()
            pg.on("console", lambda msg: console.append(f"[{msg.type}] {msg.text}"))
            pg.on("pageerror", lambda exc: console.append(f"[pageerror] {exc}"))
            yield pg
            failed = getattr(request.node, "rep_call", None)
            if failed is not None and failed.failed:
                try:
                    pg.screenshot(path=str(artifacts / "failure.png"), full_page=True)
                except playwright_error as exc:  # the page may be gone; the report matters more
                    console.append(f"[test] could not take failure.png: {exc}")
        finally:
            (artifacts / "browser-console.log").write_text("\n".join(console) + "\n")
            context.close()


@pytest.fixture(scope="module")
def cifar10_dir(request: pytest.FixtureRequest) -> Path:
    """CIFAR10_DIR, checked. Asked for (make test-browser-cifar10) without the data: the test fails
    and says to run `make cifar10`; otherwise it skips with that reason."""
    from twolayer.data import is_cifar10_installed

    configured = os.environ.get("CIFAR10_DIR")
    if configured and is_cifar10_installed(configured):
        return Path(configured).resolve()
    problem = (
        f"CIFAR10_DIR={configured} holds no complete CIFAR-10 (cifar-10-batches-py/)"
        if configured
        else "CIFAR-10 is not installed (CIFAR10_DIR is not set, and data/ of this checkout has no CIFAR-10)"
    )
    advice = "run `make cifar10` (make test-browser-cifar10 then finds data/ by itself), or set CIFAR10_DIR"
    if _asked_for_cifar10(request.config, Path(str(request.node.path))):
        pytest.fail(f"{problem}: {advice}", pytrace=False)
    pytest.skip(f"{problem}: {advice}")


@pytest.fixture(scope="module")
def cifar10_lab_server(playwright_chromium, student_folder: Path, cifar10_dir: Path, artifacts: Path, tmp_path_factory):
    """JupyterLab serving the student folder, its notebook on CIFAR-10 (TWO_LAYER_NET_DATASET=cifar10)."""
    from labserver import LabServer

    server = LabServer(
        student_folder,
        tmp_path_factory.mktemp("home"),
        artifacts / "jupyterlab-cifar10.log",
        dataset="cifar10",
        cifar10_dir=cifar10_dir,
    )
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def graded_course(playwright_chromium, tmp_path_factory: pytest.TempPathFactory):
    """A course folder autograded by the real nbgrader: one student, ``ann``, who handed in the
    solution (the two inline questions wait for a TA). Built by `autograder.nbgrader.course.Course`, the
    one way this project runs nbgrader, on digits."""
    import corpus
    from autograder.nbgrader.course import Course

    course = Course(
        tmp_path_factory.mktemp("class") / "course", cell_timeout=120, env={"TWO_LAYER_NET_DATASET": "digits"}
    ).create()
    course.submit("ann", corpus.write_submission(tmp_path_factory.mktemp("ann") / NOTEBOOK))
    course.autograde()
    result = course.results()["ann"]
    assert result.status == "graded" and result.score == 92, f"{result}; see {course.log}"
    return course


@pytest.fixture(scope="module")
def course_lab_server(graded_course, artifacts: Path, tmp_path_factory: pytest.TempPathFactory):
    """JupyterLab started in the course folder, as a TA starts it for the formgrader."""
    from labserver import LabServer

    server = LabServer(graded_course.root, tmp_path_factory.mktemp("ta-home"), artifacts / "jupyterlab-ta.log")
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def student_python(playwright_chromium) -> str:
    """The Python of a student's environment, made docs/students.md's way from release/'s
    requirements.txt (a venv, `pip install -r requirements.txt`, `python -m twolayer.jupyter_setup`).
    Kept in build/ under the hash of requirements.txt: a second run reuses it (about a minute saved)."""
    import hashlib
    import subprocess
    import sys

    requirements = RELEASE_DIR / "requirements.txt"
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()[:12]
    venv = ROOT / "build" / f"student-venv-{digest}"
    python = venv / "bin" / "python"
    if not (venv / ".complete").exists():
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(requirements)], check=True)
        (venv / ".complete").touch()
    # The student's second step, run from their folder (twolayer/ is beside the notebook).
    subprocess.run([str(python), "-m", "twolayer.jupyter_setup"], cwd=RELEASE_DIR, check=True)
    return str(python)


@pytest.fixture(scope="module")
def student_env_lab_server(student_python, student_folder: Path, artifacts: Path, tmp_path_factory):
    """JupyterLab of the student's own environment, serving their folder."""
    from labserver import LabServer

    server = LabServer(
        student_folder,
        tmp_path_factory.mktemp("home"),
        artifacts / "jupyterlab-student-env.log",
        python=student_python,
        enable_nbgrader=False,
    )
    try:
        server.start()
        yield server
    finally:
        server.stop()
