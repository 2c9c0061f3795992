"""The README and the documentation site say what is true of the project, where a test can tell.

The README is a short front page (at most README_MAX_LINES lines) whose links resolve; the site
(mkdocs.yml over docs/) builds with warnings as errors, and a broken link or anchor does fail it;
every page of docs/ is in its navigation. The reference pages name every setting of
assignment.toml (the points table equal to it), every environment variable the code reads, every
command and option of `python -m autograder`, and what each command reads from the course folder
as autograder.course.reference declares it; every `make` target the pages name exists.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from autograder.cli import build_parser
from autograder.course.reference import COURSE_FILES
from twolayer.config import points, settings

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
#: The README is the front page: what it is, the two commands, a round, where to read on.
README_MAX_LINES = 120
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def nav_pages() -> list[str]:
    """The pages mkdocs.yml's navigation lists, in its order."""
    found: list[str] = []

    def walk(entry) -> None:
        if isinstance(entry, str):
            found.append(entry)
        elif isinstance(entry, list):
            for item in entry:
                walk(item)
        elif isinstance(entry, dict):
            for value in entry.values():
                walk(value)

    walk(yaml.safe_load((ROOT / "mkdocs.yml").read_text())["nav"])
    return found


def pages() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


def mkdocs_build(config: Path, site: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(config), "--site-dir", str(site)],
        capture_output=True,
        text=True,
        timeout=300,
    )


# --------------------------------------------------------------------------------------------
# The README
# --------------------------------------------------------------------------------------------


def test_readme_is_a_front_page_not_a_manual():
    lines = README.read_text().splitlines()
    assert len(lines) <= README_MAX_LINES, (
        f"the README has {len(lines)} lines: move the detail into a page of docs/ and link it"
    )


def test_every_link_of_the_readme_resolves():
    links = LINK.findall(README.read_text())
    assert links, "the README links the manual"
    in_nav = set(nav_pages())
    for link in links:
        if link.startswith(("http://", "https://", "mailto:")):
            continue
        path = link.split("#", 1)[0]
        assert (ROOT / path).exists(), f"the README links {link}, which does not exist"
        if path.startswith("docs/"):
            assert path.removeprefix("docs/") in in_nav, f"the README links {link}, a page not in mkdocs.yml's nav"


def test_readme_links_every_page_of_the_sites_navigation():
    linked = {link.split("#", 1)[0] for link in LINK.findall(README.read_text())}
    missing = [page for page in nav_pages() if page != "index.md" and f"docs/{page}" not in linked]
    assert not missing, f"the README's 'Read on' does not link {missing}"


# --------------------------------------------------------------------------------------------
# The site
# --------------------------------------------------------------------------------------------


def test_every_page_is_in_the_navigation_once():
    nav = nav_pages()
    assert len(nav) == len(set(nav)), f"a page is twice in mkdocs.yml's nav: {nav}"
    assert set(nav) == {p.name for p in pages()}, (
        f"docs/ and mkdocs.yml's nav differ: not in the nav {sorted({p.name for p in pages()} - set(nav))}, "
        f"no such page {sorted(set(nav) - {p.name for p in pages()})}"
    )


def test_the_site_builds_with_warnings_as_errors(tmp_path):
    done = mkdocs_build(ROOT / "mkdocs.yml", tmp_path / "site")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "site" / "index.html").is_file() and (tmp_path / "site" / "reference" / "index.html").is_file()


def test_a_broken_link_or_anchor_fails_the_build(tmp_path):
    """The build's link check can fail: a copy of the site with one missing page and one missing
    anchor linked does not build."""
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(DOCS, tmp_path / "docs")
    with open(tmp_path / "docs" / "index.md", "a") as f:
        f.write("\n[gone](no-such-page.md) and [nowhere](reference.md#no-such-anchor)\n")
    done = mkdocs_build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert done.returncode != 0
    assert "no-such-page.md" in done.stderr and "no-such-anchor" in done.stderr, done.stderr


def test_every_make_target_the_pages_name_exists():
    targets = set(re.findall(r"^([a-zA-Z0-9_-]+):", (ROOT / "Makefile").read_text(), flags=re.M))
    for page in [README, *pages()]:
        text = page.read_text()
        named = set(re.findall(r"`make ([a-z][a-z0-9-]*)", text)) | set(
            re.findall(r"^make ([a-z][a-z0-9-]*)", text, re.M)
        )
        unknown = named - targets
        assert not unknown, f"{page.relative_to(ROOT)} names make targets the Makefile lacks: {sorted(unknown)}"


# --------------------------------------------------------------------------------------------
# The reference pages against what they describe
# --------------------------------------------------------------------------------------------


def _leaves(table: dict, prefix: str = "") -> list[tuple[str, str]]:
    """(table name, key) of every setting below ``table``."""
    found = []
    for key, value in table.items():
        # an inline table is one setting: container_memory_mb, and each item of [items]
        if isinstance(value, dict) and key != "container_memory_mb" and prefix != "items":
            found += _leaves(value, f"{prefix}.{key}" if prefix else key)
        else:
            found.append((prefix, key))
    return found


def test_the_settings_page_names_every_setting_of_assignment_toml():
    text = (DOCS / "reference.md").read_text()
    for table, key in _leaves(settings()):
        assert f"`[{table}]`" in text, f"docs/reference.md does not name the table [{table}]"
        if table != "points":  # the points are the table below
            assert f"`{key}`" in text, f"docs/reference.md does not name [{table}] {key}"


def test_the_points_table_is_assignment_toml():
    """Each row: an item, the points of its visible check cell, of its hidden check cell (the
    inline questions' choices), of its hand-graded cell."""
    text = (DOCS / "reference.md").read_text()
    rows = re.findall(r"^\|\s*([a-z_0-9]+)\s*\|\s*(\d*)\s*\|\s*(\d*)[^|]*\|\s*(\d*)\s*\|$", text, flags=re.M)
    in_page: dict[str, int] = {}
    for item, visible, hidden, by_hand in rows:
        hidden_cell = f"{item}_choices_hidden" if item.startswith("inline_question") else f"{item}_hidden"
        for cell, value in ((f"{item}_check", visible), (hidden_cell, hidden), (item, by_hand)):
            if value:
                in_page[cell] = int(value)
    assert in_page == points()


def test_every_environment_variable_the_code_reads_is_documented():
    sources = [*ROOT.glob("autograder/**/*.py"), *ROOT.glob("source/two_layer_net/twolayer/*.py")]
    sources.append(ROOT / "nbgrader_config.py")
    pattern = re.compile(r"[\"'](AUTOGRADER_[A-Z0-9_]+|TWO_LAYER_NET_[A-Z0-9_]+|CIFAR10_DIR)[\"']")
    read = {name for path in sources for name in pattern.findall(path.read_text())}
    assert {"AUTOGRADER_SANDBOX", "TWO_LAYER_NET_DATASET", "CIFAR10_DIR"} <= read  # the pattern finds them
    text = (DOCS / "reference.md").read_text()
    assert not [name for name in read if f"`{name}`" not in text], "docs/reference.md lacks environment variables"


def test_the_commands_page_names_every_command_and_every_option_of_grade():
    text = (DOCS / "commands.md").read_text()
    parser = build_parser()
    (commands,) = [a for a in parser._actions if a.dest == "command"]  # the subparsers
    for name, sub in commands.choices.items():
        assert f"python -m autograder {name}" in text, f"docs/commands.md does not describe {name}"
        if name == "grade":
            options = {s for a in sub._actions for s in a.option_strings if s.startswith("--") and s != "--help"}
            missing = sorted(o for o in options if not re.search(rf"`{re.escape(o)}[ `]", text))
            assert not missing, f"docs/commands.md lacks options of grade: {missing}"


def test_the_installs_page_says_what_each_command_reads_from_the_course_folder():
    text = (DOCS / "install.md").read_text()
    rows = re.findall(r"^\| `python -m (autograder[ .][a-z. ]+)` \| (.+) \|$", text, flags=re.M)
    in_page = {command.removeprefix("autograder "): tuple(re.findall(r"`([^`]+)`", files)) for command, files in rows}
    assert in_page == COURSE_FILES
