"""Regenerate requirements.lock from pyproject.toml (what `make lock` runs).

    python3 tools/lock.py                  # resolve on every supported Python, write the lock
    python3 tools/lock.py --path [PYTHON]  # the lock that `make setup` installs for PYTHON
    python3 tools/lock.py --find 3.10      # the interpreter of a supported version on this machine
    python3 tools/lock.py --versions       # the supported versions (PYTHONS), one a line

One lock for every supported Python (PYTHONS, the versions the README claims). For each version,
a throwaway venv of that version installs the project's [project.dependencies] plus the
development tools below, and ``pip freeze`` gives its pins. The pins every version agrees on are
written plainly; a package whose pin differs between versions (numpy and contourpy need 3.11 from
their latest releases on) gets one line per pin with an environment marker naming the versions it
is for, e.g. ``numpy==2.2.6; python_version == "3.10"``. `pip install -r requirements.lock`
evaluates the markers, so each version installs exactly what was resolved on it, and a TA reads
in one file what differs. (Per-version lock files would repeat ~100 identical pins four times.)

Every version is resolved in a real venv of it: pip's cross-version resolution (--python-version)
checks wheels' tags and Requires-Python but evaluates markers for the running interpreter, which
gets tomli and exceptiongroup wrong. A supported version with no interpreter here is an error,
not a silently narrower lock: install it (e.g. `pyenv install 3.12`) or narrow PYTHONS, the README
and pyproject's requires-python together (tests/test_project.py checks they agree).
The extras a developer installs beside the lock (EXTRA_LOCKS: Dask for the cluster, MkDocs for the
docs) get a lock each, of what they add to it with every pin of it held fixed: the students'
requirements and the Gradescope bundle are made from requirements.lock alone.
(The requirements are read from pyproject.toml rather than `pip install .`, which would build the
project in the checkout and leave build/ behind.)
"""

from __future__ import annotations

import argparse
import glob
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
PROJECT = "two-layer-net-course"
#: The Python versions the course supports: the README's claim, each resolved into the lock and
#: set up and smoke-tested by CI where the machine has it.
PYTHONS = ("3.10", "3.11", "3.12", "3.13")
#: Development tools pinned with the runtime dependencies (not in pyproject's dependencies).
DEV_TOOLS = ("pytest-xdist", "ruff")
#: pyproject's extra for grading on a Dask cluster, pinned in a lock of its own: what it adds on top
#: of requirements.lock, resolved with every pin of that lock held fixed. A lock of its own because
#: the students' requirements (tools/generate_release.py) and the Gradescope bundle are made from
#: requirements.lock and need no Dask; `make setup` installs both, so the cluster tests run in CI.
CLUSTER_EXTRA = "cluster"
CLUSTER_LOCK = ROOT / "requirements-cluster.lock"
#: pyproject's extra for building the documentation site (`make docs`), locked the same way: a tool
#: of the course's developers, so neither in the students' requirements nor in what a grader needs.
DOCS_EXTRA = "docs"
DOCS_LOCK = ROOT / "requirements-docs.lock"
#: Each extra's lock, with what it is for (its header): what the extra adds to requirements.lock.
EXTRA_LOCKS = {
    CLUSTER_EXTRA: (CLUSTER_LOCK, "grading on a Dask cluster"),
    DOCS_EXTRA: (DOCS_LOCK, "building the documentation site, make docs"),
}
#: pyproject's extra for the course's JupyterHub (make hub, docs/jupyterhub.md): unlike the others,
#: resolved on top of requirements.lock and the cluster's lock together (the hub's venv has both).
HUB_EXTRA = "hub"
HUB_LOCK = ROOT / "requirements-hub.lock"


def _run(*command: str, stderr: int | None = None) -> str:
    return subprocess.run(
        command, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr, text=True
    ).stdout


def python_version(python: str) -> str:
    """``"3.10"`` for an interpreter of Python 3.10."""
    return _run(python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])", stderr=subprocess.DEVNULL).strip()


def lock_path(version: str) -> Path:
    """The lock `make setup` installs on Python ``version`` (``"3.10"``): requirements.lock for every
    supported version; ValueError for any other, whose pins the lock does not hold."""
    if version not in PYTHONS:
        raise ValueError(
            f"requirements.lock is resolved for Python {', '.join(PYTHONS)}, not {version}: "
            f"use one of those (make setup PYTHON=python{PYTHONS[-1]}), or add {version} to PYTHONS "
            "in tools/lock.py and run make lock"
        )
    return LOCK


def find_python(version: str) -> str | None:
    """An interpreter of Python ``version`` on this machine: pythonX.Y on PATH, else pyenv's newest."""
    candidates = [shutil.which(f"python{version}")]
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates += sorted(
        glob.glob(f"{pyenv_root}/versions/{version}.*/bin/python{version}"),
        key=lambda p: [int(n) if n.isdigit() else -1 for n in Path(p).parents[1].name.split(".")],
        reverse=True,
    )
    for candidate in candidates:
        if not candidate or not os.access(candidate, os.X_OK):
            continue
        try:  # a pyenv shim of a version that is not selected fails
            if python_version(candidate) == version:
                return candidate
        except (OSError, subprocess.CalledProcessError):
            continue
    return None


def _project() -> dict:
    try:  # imported here, so that --path and --find run on Python 3.10 too
        import tomllib
    except ModuleNotFoundError:
        sys.exit("make lock runs tools/lock.py with Python 3.11 or later (tomllib): make lock PYTHON=python3.11")

    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]


def requirements() -> list[str]:
    """pyproject.toml's [project.dependencies] and the dev tools."""
    return [*_project()["dependencies"], *DEV_TOOLS]


def extra_requirements(extra: str) -> list[str]:
    """pyproject.toml's optional dependencies ``extra`` (``cluster``, ``docs``)."""
    return list(_project()["optional-dependencies"][extra])


def _frozen(pip: str) -> dict[str, str]:
    pins = {}
    for line in _run(pip, "freeze", "--disable-pip-version-check", "--exclude", PROJECT).splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name] = version
    return pins


def _add_held(pip: str, tmp: str, extra: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Install ``extra`` with every pin already installed held fixed: (the pins before, those it added)."""
    pins = _frozen(pip)
    held = Path(tmp) / "held.txt"
    held.write_text("".join(f"{name}=={version}\n" for name, version in pins.items()))
    _run(pip, "install", "--quiet", "--disable-pip-version-check", "-c", str(held), *extra)
    return pins, {name: version for name, version in _frozen(pip).items() if name not in pins}


def freeze(
    python: str, reqs: list[str] | None, extras: dict[str, list[str]]
) -> tuple[str, dict[str, str], dict[str, dict[str, str]], dict[str, str]]:
    """The full Python version, the ``name -> version`` pins of a fresh install of ``reqs``, for
    each of ``extras`` the pins that installing it on top adds (with every pin of the first install
    held fixed; each extra on the first install alone, so that its lock stands by itself), and the
    pins the hub's extra adds on top of the first install and the cluster's extra. With ``reqs``
    None (``--hub-only``), requirements.lock and the cluster's lock are installed as they are."""
    with tempfile.TemporaryDirectory(prefix="two-layer-net-lock-") as tmp:
        venv = Path(tmp) / "venv"
        _run(python, "-m", "venv", str(venv))
        pip = str(venv / "bin" / "pip")
        added_of: dict[str, dict[str, str]] = {}
        if reqs is None:
            _run(pip, "install", "--quiet", "--disable-pip-version-check", "-r", str(LOCK), "-r", str(CLUSTER_LOCK))
            pins = _frozen(pip)
        else:
            _run(pip, "install", "--quiet", "--disable-pip-version-check", *reqs)
            pins = _frozen(pip)
            for name, extra in extras.items():
                added_of[name] = _add_held(pip, tmp, extra)[1]
                _run(pip, "uninstall", "--quiet", "--disable-pip-version-check", "--yes", *added_of[name])
            _add_held(pip, tmp, extras[CLUSTER_EXTRA])
        hub_added = _add_held(pip, tmp, extra_requirements(HUB_EXTRA))[1]
        full = _run(str(venv / "bin" / "python"), "-c", "import platform; print(platform.python_version())").strip()
    return full, pins, added_of, hub_added


def merge(pins_of: dict[str, dict[str, str]]) -> list[str]:
    """One lock's lines from each version's pins: a plain pin where every version has the same one,
    else a pin per version group with a ``python_version`` marker."""
    lines = []
    for name in sorted({n for pins in pins_of.values() for n in pins}, key=str.lower):
        groups: dict[str, list[str]] = {}
        for version, pins in pins_of.items():
            if name in pins:
                groups.setdefault(pins[name], []).append(version)
        if list(groups.values()) == [list(pins_of)]:
            lines.append(f"{name}=={next(iter(groups))}")
            continue
        for pin, versions in groups.items():
            lines.append(f"{name}=={pin}; {marker(versions, list(pins_of))}")
    return lines


def marker(versions: list[str], supported: list[str]) -> str:
    """A ``python_version`` marker that holds for ``versions`` among ``supported`` and for no other
    of them: ``python_version >= "3.11"`` for 3.11 to the last, ``python_version < "3.12"`` for the
    first to 3.11, ``python_version == "3.11"`` for one alone (`make setup` refuses other Pythons)."""
    runs: list[list[int]] = []
    for i in sorted(supported.index(v) for v in versions):
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    parts = []
    for run in runs:
        first, last = supported[run[0]], supported[run[-1]]
        after = supported[run[-1] + 1] if run[-1] + 1 < len(supported) else None
        if first == last:
            parts.append(f'python_version == "{first}"')
        elif after is None:
            parts.append(f'python_version >= "{first}"')
        elif run[0] == 0:
            parts.append(f'python_version < "{after}"')
        else:
            parts.append(f'(python_version >= "{first}" and python_version < "{after}")')
    return " or ".join(parts)


def write_hub_lock(path: Path, lines: list[str], full_versions: list[str]) -> None:
    path.write_text(
        f"# Pins of pyproject.toml's [{HUB_EXTRA}] extra (the course's JupyterHub, make hub): what it adds to\n"
        f"# {LOCK.name} and {CLUSTER_LOCK.name}, resolved with every pin of those held fixed, on each\n"
        "# supported Python. Generated by `make lock` (tools/lock.py; --hub-only for this file alone); do not\n"
        f"# edit by hand. `make hub` installs it:  pip install -r {LOCK.name} -r {CLUSTER_LOCK.name} -r {path.name}\n"
        f"# Resolved on Python {', '.join(full_versions)}, {platform.system()} {platform.machine()}.\n"
        + "".join(f"{line}\n" for line in lines)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 tools/lock.py", description=__doc__.splitlines()[0])
    parser.add_argument("--path", nargs="?", const=sys.executable, metavar="PYTHON", help="print the lock for PYTHON")
    parser.add_argument("--find", metavar="VERSION", help="print this machine's interpreter of VERSION")
    parser.add_argument("--versions", action="store_true", help="print the supported Python versions")
    parser.add_argument("--output", type=Path, default=LOCK)
    parser.add_argument("--cluster-output", type=Path, default=CLUSTER_LOCK)
    parser.add_argument("--docs-output", type=Path, default=DOCS_LOCK)
    parser.add_argument("--hub-output", type=Path, default=HUB_LOCK)
    parser.add_argument(
        "--hub-only", action="store_true", help=f"resolve {HUB_LOCK.name} alone, on top of the other locks as they are"
    )
    args = parser.parse_args(argv)
    if args.versions:
        print(*PYTHONS, sep="\n")
        return 0
    if args.find:
        found = find_python(args.find)
        if found:
            print(found)
        return 0 if found else 1
    if args.path:
        try:
            print(lock_path(python_version(args.path)).relative_to(ROOT))
        except ValueError as e:
            print(e, file=sys.stderr)
            return 1
        return 0

    start = time.monotonic()
    pythons = {version: find_python(version) for version in PYTHONS}
    missing = [version for version, python in pythons.items() if python is None]
    if missing:
        sys.exit(
            f"No interpreter of Python {', '.join(missing)} here (pythonX.Y on PATH or under pyenv): "
            "install it (pyenv install X.Y), or narrow PYTHONS in tools/lock.py, the README and "
            "pyproject's requires-python together"
        )
    reqs = None if args.hub_only else requirements()
    extras = {name: extra_requirements(name) for name in EXTRA_LOCKS}
    outputs = {CLUSTER_EXTRA: args.cluster_output, DOCS_EXTRA: args.docs_output}
    full_versions, pins_of, added_of, hub_of = [], {}, {name: {} for name in extras}, {}
    for version, python in pythons.items():
        print(f"Resolving on Python {version} ({python}) ...", flush=True)
        full, pins_of[version], added, hub_of[version] = freeze(python, reqs, extras)
        for name in added:
            added_of[name][version] = added[name]
        full_versions.append(full)
    write_hub_lock(args.hub_output, merge(hub_of), full_versions)
    if args.hub_only:
        print(f"Wrote {args.hub_output} in {time.monotonic() - start:.0f} s.")
        return 0
    lines = merge(pins_of)
    extra_lines = {name: merge(added_of[name]) for name in extras}
    for name, (_, purpose) in EXTRA_LOCKS.items():
        outputs[name].write_text(
            f"# Pins of pyproject.toml's [{name}] extra ({purpose}): what it adds to\n"
            f"# {args.output.name}, resolved with every pin of that lock held fixed, on each supported Python.\n"
            f"# Generated by `make lock` (tools/lock.py); do not edit by hand. Install both:\n"
            f"#   pip install -r {args.output.name} -r {outputs[name].name}\n"
            f"# Resolved on Python {', '.join(full_versions)}, {platform.system()} {platform.machine()}.\n"
            + "".join(f"{line}\n" for line in extra_lines[name])
        )
    args.output.write_text(
        "# Pinned environment of the two_layer_net course: `make setup` installs it, then the\n"
        "# project itself with `pip install --no-deps -e .`.\n"
        "# Generated by `make lock` (tools/lock.py): pyproject.toml's dependencies plus the dev\n"
        f"# tools {', '.join(DEV_TOOLS)}, resolved in a fresh venv of each supported Python. Do not edit by hand.\n"
        "# One lock for all of them: a pin that differs between versions has a python_version marker,\n"
        "# and `pip install -r` takes the line of the running version.\n"
        f"# Resolved on Python {', '.join(full_versions)}, {platform.system()} {platform.machine()};\n"
        "# other platforms: environment.yml or `pip install -e .`.\n" + "".join(f"{line}\n" for line in lines)
    )
    written = ", ".join(f"{len(extra_lines[name])} to {outputs[name]}" for name in extras)
    print(f"Wrote {len(lines)} lines to {args.output}, {written} in {time.monotonic() - start:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
