"""The grader works where it is installed: the wheel, outside the checkout.

The wheel is built from a copy of the checkout's files (what git tracks, and new files it does not
ignore), installed by pip into a fresh venv in a temporary folder, and run there with a course
folder that holds only the two notebooks the commands read (AUTOGRADER_COURSE): it
grades the solution with `--format gradescope` (through the `two-layer-net-grade` script) and
writes the similarity report of the demo class. Without a course folder, the commands that read
one stop at once and say so. The wheel holds every package and every data file of the checkout's
packages: nothing is listed by hand in pyproject.toml.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

import corpus
from autograder.course.reference import CONFIG, COURSE_ENV, RELEASE, SOURCE
from autograder.maintenance.demo import write_demo_class

ROOT = Path(__file__).resolve().parent.parent
#: Where each package's files are in the checkout, and so in the wheel.
PACKAGE_FOLDERS = {"autograder": ROOT / "autograder", "twolayer": ROOT / "source" / "two_layer_net" / "twolayer"}
DISTRIBUTION = "two-layer-net-course"

pytestmark = pytest.mark.slow


def checkout_files() -> list[str]:
    """The checkout's files as a clone has them, with new ones not yet committed (not ignored)."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
    ).stdout
    return [name for name in listed.decode().split("\0") if name and (ROOT / name).is_file()]


def run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = 900):
    return subprocess.run(
        [str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("checkout-copy")
    for name in checkout_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    dist = tmp_path_factory.mktemp("dist")
    done = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", ".", "-w", dist, cwd=source)
    assert done.returncode == 0, done.stdout + done.stderr
    (built,) = dist.glob("two_layer_net_course-*.whl")
    return built


def link_packages(dest: Path) -> None:
    """The packages of the environment these tests run in (the checkout's .venv, which `make setup`
    installed from the lock), linked into ``dest`` (copied across file systems), but the project
    itself: its editable install would point back into the checkout."""
    source = Path(sysconfig.get_paths()["purelib"])
    (project,) = [d for d in metadata.distributions(path=[str(source)]) if d.metadata["Name"] == DISTRIBUTION]
    skip = {os.path.relpath(project.locate_file(f), source) for f in project.files or ()}
    for folder, _, names in os.walk(source):
        here = Path(folder)
        (dest / here.relative_to(source)).mkdir(parents=True, exist_ok=True)
        for name in names:
            if os.path.relpath(here / name, source) in skip:
                continue
            target = dest / here.relative_to(source) / name
            try:
                os.link(here / name, target, follow_symlinks=False)
            except OSError:
                shutil.copy2(here / name, target, follow_symlinks=False)


@pytest.fixture(scope="module")
def venv(tmp_path_factory, wheel) -> Path:
    """A fresh venv outside the checkout with the wheel installed by pip. Its dependencies are the
    lock's, linked from the running environment rather than downloaded again (minutes); the wheel
    is installed without an index, so that pip checks its requirements against them."""
    folder = tmp_path_factory.mktemp("installed") / "venv"
    done = run(sys.executable, "-m", "venv", "--without-pip", folder, cwd=folder.parent)
    assert done.returncode == 0, done.stderr
    python = folder / "bin" / "python"
    purelib = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=folder.parent)
    link_packages(Path(purelib.stdout.strip()))
    done = run(python, "-m", "pip", "install", "--quiet", "--no-index", wheel, cwd=folder.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    return folder


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A course folder with only what the commands read: the source and the release notebooks."""
    folder = tmp_path_factory.mktemp("course")
    for name in (SOURCE, RELEASE):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, folder / name)
    return folder


def environment(course: Path | None) -> dict[str, str]:
    """This environment without anything that points into the checkout, and the course folder."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", COURSE_ENV)}
    env["OPENBLAS_NUM_THREADS"] = "1"
    if course is not None:
        env[COURSE_ENV] = str(course)
    return env


def test_the_wheel_holds_every_package_and_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = set()
    for name in checkout_files():
        path = ROOT / name
        for package, folder in PACKAGE_FOLDERS.items():
            if path.is_relative_to(folder):
                expected.add(f"{package}/{path.relative_to(folder).as_posix()}")
    assert "twolayer/checks/visible.npz" in expected and "autograder/gradescope/files/setup.sh" in expected
    assert not sorted(expected - names), f"not in the wheel: {sorted(expected - names)}"
    tops = {name.split("/", 1)[0] for name in names if not name.split("/", 1)[0].endswith(".dist-info")}
    assert tops == set(PACKAGE_FOLDERS), f"the wheel installs {sorted(tops)}"


def test_the_installed_grader_is_the_wheels(venv, tmp_path):
    done = run(
        venv / "bin" / "python",
        "-c",
        "import autograder, twolayer; print(autograder.__file__); print(twolayer.__file__)\n"
        f"from importlib import metadata; assert 'editable' not in metadata.distribution({DISTRIBUTION!r})"
        ".read_text('direct_url.json')",
        cwd=tmp_path,
        env=environment(None),
    )
    assert done.returncode == 0, done.stderr
    for path in done.stdout.split():
        assert Path(path).resolve().is_relative_to(venv.resolve()), path


def test_it_grades_a_notebook_for_gradescope(venv, course, tmp_path):
    notebook = corpus.write_submission(tmp_path / "ada" / "two_layer_net" / "two_layer_net.ipynb")
    results = tmp_path / "results.json"
    done = run(
        venv / "bin" / "two-layer-net-grade",
        *(
            "grade",
            notebook,
            "--format",
            "gradescope",
            "--dataset",
            "digits",
            "--seed",
            "1",
            "--output",
            results,
            "--quiet",
        ),
        cwd=tmp_path,
        env=environment(course),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    graded = json.loads(results.read_text())
    assert graded["score"] == 92, [t["output"] for t in graded["tests"] if t["score"] < t["max_score"]]
    assert sum(t["max_score"] for t in graded["tests"]) == 92
    assert graded["extra_data"]["dataset"] == "digits"


def test_it_writes_the_similarity_report_of_a_class(venv, course, tmp_path):
    submitted = tmp_path / "submitted"

    def submit(student, notebook, raw):
        dest = submitted / student / "two_layer_net" / "two_layer_net.ipynb"
        dest.parent.mkdir(parents=True, exist_ok=True)
        if raw is not None:
            dest.write_text(raw)
        else:
            shutil.copy(notebook, dest)

    write_demo_class(corpus.RELEASE, tmp_path / "drafts", submit)
    html, table = tmp_path / "similarity.html", tmp_path / "similarity.csv"
    done = run(
        venv / "bin" / "python",
        *("-m", "autograder", "similarity", submitted, "-o", html, "--csv", table, "-q"),
        cwd=tmp_path,
        env=environment(course),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    rows = list(csv.DictReader(table.open()))
    pairs = {frozenset((r["a"], r["b"])) for r in rows if r["pair_flagged"] == "1"}
    assert frozenset(("ada", "dee")) in pairs  # the same copies as from the checkout (test_similarity/test_cli.py)
    assert "<title>Similarity report" in html.read_text()


@pytest.mark.parametrize(
    "command",
    [
        ("-m", "autograder", "grade", "submitted"),
        ("-m", "autograder", "similarity", "submitted", "-o", "report.html"),
        ("-m", "autograder", "roster", "students.csv"),
        ("-m", "autograder.gradescope", "build"),
    ],
    ids=lambda command: " ".join(command[1:3]),
)
def test_without_a_course_folder_a_command_says_so_at_start(venv, tmp_path, command):
    done = run(venv / "bin" / "python", *command, cwd=tmp_path, env=environment(None), timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "plain install" in done.stderr and COURSE_ENV in done.stderr and "make setup" in done.stderr, done.stderr
    assert not list(tmp_path.iterdir()), "nothing is written before it says so"


def test_a_folder_that_is_not_the_course_is_named(venv, course, tmp_path):
    done = run(venv / "bin" / "python", "-m", "autograder", "demo", cwd=tmp_path, env=environment(course), timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert CONFIG in done.stderr and f"{course.resolve()} is not the course folder" in done.stderr, done.stderr
