"""The layout of ``autograder/`` (issue 21): a package per concern, no loose modules, and imports
that go one way, down the layers, with no circles. Read from the code's own imports (every import
statement, those inside functions included; those only for type checkers left out).

    python tests/test_autograder/test_layers.py    # prints each package's layer and the deepest import chain
"""

from __future__ import annotations

import ast
import sys
from functools import cache, lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "autograder"

#: Top to bottom: a module may import from its own package and from the layers below its own,
#: never from above nor from another package of its own layer.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("__main__",),
    ("cli",),  # the command line: maps options to one call each
    ("maintenance",),  # the course's upkeep: demo, solutions, the visible values, the sandbox check
    ("hub",),  # the course on a JupyterHub: users, the exchange, grading on submit (over nbgrader's glue)
    ("nbgrader", "gradescope"),  # the front ends: nbgrader's glue, Gradescope's bundle and run
    ("batch",),  # many notebooks: local jobs, the journal, a Dask cluster
    ("suite",),  # the checks, a pytest suite
    ("reports", "similarity"),  # what a grading writes; which submissions share code
    ("grading",),  # one notebook to its typed result
    ("execution",),  # student code out of process: the worker, its session
    ("sandbox",),  # running untrusted code, contained or not at all
    ("course",),  # the assignment as data
)
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def modules() -> dict[str, Path]:
    """Dotted name -> file, for every module of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _type_checking_only(tree: ast.Module) -> set[int]:
    """Line numbers of imports under ``if TYPE_CHECKING:`` (no dependency when the code runs)."""
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                lines.update(range(inner.lineno, (inner.end_lineno or inner.lineno) + 1))
    return lines


@lru_cache(maxsize=1)
def imports() -> dict[str, set[str]]:
    """module -> the modules of the package it imports."""
    mods = modules()
    out: dict[str, set[str]] = {}
    for name, path in mods.items():
        tree = ast.parse(path.read_text())
        skip = _type_checking_only(tree)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found = set()
        for node in ast.walk(tree):
            if getattr(node, "lineno", None) in skip:
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join([*parts[: len(parts) - node.level + 1], *([base] if base else [])])
                # `from package import submodule` depends on the submodule; any other name, on `base`
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names]
            for target in targets:
                while target and target not in mods:
                    target = target.rpartition(".")[0]
                # a module's own packages are imported before it anyway: no dependency of its own
                if target and target != name and not name.startswith(target + ".") and target.startswith("autograder"):
                    found.add(target)
        out[name] = found
    return out


def concern(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_no_loose_modules_but_the_command_line():
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert loose == ["__init__.py", "__main__.py", "cli.py"]
    packages = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    assert set(packages) == {name for names in LAYERS for name in names} - {"cli", "__main__"}


def test_every_package_says_what_it_holds():
    for init in PACKAGE.rglob("__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text()))
        assert doc and len(doc) > 40, f"{init.relative_to(PACKAGE.parent)} opens with no docstring"


def test_imports_go_down_the_layers():
    wrong = []
    for module, targets in imports().items():
        here = concern(module)
        if here == "__init__":
            continue
        for target in targets:
            there = concern(target)
            if there == here or there == "__init__":
                continue
            if RANK[there] <= RANK[here]:
                wrong.append(f"{module} ({here}) imports {target} ({there})")
    assert not wrong, "imports that go up or sideways:\n" + "\n".join(sorted(wrong))


def test_no_circles_between_modules():
    graph = imports()
    index, low, stack, on_stack, circles = {}, {}, [], set(), []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in graph:
        if node not in index:
            visit(node)
    assert not circles, f"circles of imports: {circles}"


def test_the_architecture_page_shows_these_layers():
    page = (PACKAGE.parent / "docs" / "architecture.md").read_text()
    rows = [f"| {rank} | {', '.join(f'`{name}`' for name in names)} |" for rank, names in enumerate(LAYERS)]
    assert "\n".join(rows) in page, "docs/architecture.md: the table of layers is not LAYERS:\n" + "\n".join(rows)


def depth() -> tuple[int, list[str]]:
    """The longest chain of imports (modules), and one such chain (the graph has no circles)."""
    graph = imports()
    sys.setrecursionlimit(10_000)

    @cache
    def longest(node: str) -> tuple[str, ...]:
        best: tuple[str, ...] = ()
        for nxt in graph.get(node, ()):
            chain = longest(nxt)
            if len(chain) > len(best):
                best = chain
        return (node, *best)

    chain = max((longest(n) for n in graph), key=len)
    return len(chain), list(chain)


if __name__ == "__main__":
    for rank, names in enumerate(LAYERS):
        print(f"layer {rank}: {', '.join(names)}")
    levels, chain = depth()
    print(f"the deepest chain of imports: {levels} modules: {' -> '.join(chain)}")
