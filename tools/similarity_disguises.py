"""Disguised copies of an answer cell or a written answer, made the ways students disguise them
(issue 23): docstrings and comments dropped, the student's own names renamed, definitions or
independent statements reordered, a dead statement added, and all of them at once. Used by
``tools/similarity_fingerprints.py`` to make the copies of the real calibration set, which are
committed as fingerprints only.
"""

from __future__ import annotations

import ast
import builtins
import re

KINDS = ("comments", "renamed", "reordered", "dead_code", "combined")
#: Names a student does not choose: the starter's, the notebook's and Python's.
FIXED = {
    *dir(builtins),
    *"x w b out cache dout dx dw db dx_ loss y scores grads model solver best_model self data reg".split(),
    *"np numpy TwoLayerNet Solver params X input_dim hidden_dim num_classes weight_scale".split(),
    *"affine_forward affine_backward relu_forward relu_backward svm_loss softmax_loss".split(),
    *"affine_relu_forward affine_relu_backward sgd".split(),
}


def _docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _strip_docstrings(tree: ast.AST) -> None:
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and _docstring(body[0]):
            body.pop(0)
            if not body:
                body.append(ast.Pass())


class _Renamer(ast.NodeTransformer):
    def __init__(self, names: dict[str, str]) -> None:
        self.names = names

    def visit_Name(self, node: ast.Name) -> ast.Name:
        node.id = self.names.get(node.id, node.id)
        return node

    def visit_arg(self, node: ast.arg) -> ast.arg:
        node.arg = self.names.get(node.arg, node.arg)
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        node.name = self.names.get(node.name, node.name)
        self.generic_visit(node)
        return node


def _rename(tree: ast.AST) -> None:
    chosen: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            chosen.add(node.id)
        elif isinstance(node, ast.arg):
            chosen.add(node.arg)
        elif isinstance(node, ast.FunctionDef) and not node.name.startswith("__"):
            chosen.add(node.name)
    chosen -= FIXED
    _Renamer({name: f"{name.strip('_')}_v{n}" for n, name in enumerate(sorted(chosen))}).visit(tree)


def _names(node: ast.AST, ctx: type) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ctx)}


def _independent(a: ast.stmt, b: ast.stmt) -> bool:
    simple = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr)
    if not (isinstance(a, simple) and isinstance(b, simple)) or _docstring(a) or _docstring(b):
        return False
    wa, wb = _names(a, ast.Store), _names(b, ast.Store)
    ra, rb = _names(a, ast.Load), _names(b, ast.Load)
    calls = any(isinstance(n, ast.Call) for n in ast.walk(a)) and any(isinstance(n, ast.Call) for n in ast.walk(b))
    return not (wa & (rb | wb) or wb & ra) and not (calls and isinstance(a, ast.Expr) and isinstance(b, ast.Expr))


def _swap_statements(body: list[ast.stmt]) -> bool:
    for i in range(len(body) - 1):
        if _independent(body[i], body[i + 1]):
            body[i], body[i + 1] = body[i + 1], body[i]
            return True
    for stmt in body:
        inner = getattr(stmt, "body", None)
        if isinstance(inner, list) and _swap_statements(inner):
            return True
    return False


def _reorder(tree: ast.Module) -> None:
    """Methods of a class in reverse order, functions after the code that calls them, else two
    independent statements swapped."""
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    for cls in classes:
        methods = [n for n in cls.body if isinstance(n, ast.FunctionDef)]
        others = [n for n in cls.body if not isinstance(n, ast.FunctionDef)]
        cls.body = others + methods[::-1]
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    if len(functions) > 1:
        tree.body = [n for n in tree.body if not isinstance(n, ast.FunctionDef)] + functions[::-1]
    elif not classes:
        _swap_statements(functions[0].body if functions else tree.body)


def _dead_statement(tree: ast.Module) -> None:
    dead = ast.parse("debug_steps = 0").body[0]
    target = next((n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)), None)
    (target.body if target else tree.body).insert(0, dead)


def disguise_code(source: str, kind: str) -> str:
    """``source`` disguised by ``kind`` (one of ``KINDS``); every kind drops the comments, since
    the copy is rewritten through Python's own parser."""
    tree = ast.parse(source)
    if kind in ("comments", "combined"):
        _strip_docstrings(tree)
    if kind in ("renamed", "combined"):
        _rename(tree)
    if kind in ("reordered", "combined"):
        _reorder(tree)
    if kind in ("dead_code", "combined"):
        _dead_statement(tree)
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


_SYNONYMS = {"because": "since", "large": "big", "larger": "bigger", "small": "tiny", "gradient": "derivative"}


def disguise_text(text: str) -> str:
    """A written answer disguised: its sentences in reverse order, lower case, a few words swapped
    for synonyms, line breaks and emphasis gone."""
    sentences = [s.strip() for s in re.split(r"(?<=[.!?。])\s+|\n+", text) if s.strip()]
    swapped = " ".join(reversed(sentences)).lower().replace("*", "")
    return re.sub(r"\b(\w+)\b", lambda m: _SYNONYMS.get(m.group(1), m.group(1)), swapped) + "\n"
