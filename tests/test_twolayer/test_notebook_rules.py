"""Every kind of failure message the grader can give maps to a sentence of the notebook that states
the rule it enforces: a student who reads the notebook knows every rule before a check fails.

The messages are read from the grader's sources (every failed Finding's message, every reason an
item cannot be checked, every reason a notebook's cells are not accepted), so a new kind of message
without a rule here fails this test.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "source" / "two_layer_net" / "two_layer_net.ipynb"
SOURCES = [
    *sorted(f"source/two_layer_net/twolayer/checks/{name}.py" for name in ("cases", "compare", "layers", "losses")),
    *sorted(f"source/two_layer_net/twolayer/checks/{name}.py" for name in ("network", "questions")),
    *sorted(str(p.relative_to(REPO)) for p in (REPO / "autograder" / "suite").glob("test_*.py")),
    "autograder/grading/plugin.py",
    "autograder/grading/student.py",
    "autograder/course/notebook.py",
    "autograder/execution/session.py",
]

# (a pattern of messages, the notebook's sentence that states the rule; whitespace folded)
RULES = [
    (r"should return", "It returns exactly what its docstring says"),
    (
        r"numpy array of shape|has shape .* expected|should have (the )?shape|should be an array of shape",
        "numpy arrays of the shapes it states",
    ),
    (r"contains nan or inf|^\{\} is \{\}$", "only finite values (no `nan` or `inf`)"),
    (r"nan or inf when the scores are large", "make your computation numerically stable"),
    (r"is wrong", "must agree with the reference solution"),
    (r"numerical gradient", "numerical gradients of your own forward pass or loss"),
    (r"should be below 1e-4", "relative error below 1e-4"),
    (r"a single number", "a single number for a loss"),
    (r"changed its input", "Do not modify the arrays you are given"),
    (r"to every score", "Adding the same number to every score"),
    (r"set of numbers from|set of options is not right", "to the set of the option numbers that apply"),
    (r"self\.params (should be a dict|has no)", "stores the parameters in `self.params`"),
    (r"^grads", "a dict of gradients with the same keys as `self.params`"),
    (r"should start at zero", "biases `b1` and `b2` are zero vectors"),
    (r"weight_scale", "standard deviation `weight_scale`"),
    (r"validation accuracy .* is below", "Reach the validation accuracy"),
    (r"params dict|hidden sizes|nan or inf \(did training diverge", "computes the validation accuracy itself from"),
    (r"not a trained model", "leave your best network in `best_model`"),
    (r"not defined by its answer cell", "Keep the names the cells define"),
    (r"answer cell .* is missing|cells with the grade_id|changed from a", "keep your answers in the cells"),
    (r"^running the cell", "so does a cell that stops Python"),
    (r"^your code|^your `\{\}` cell", "A function that raises an exception fails its checks"),
    (r"time budget", "stops it after the time budget"),
]


def notebook_text() -> str:
    nb = json.loads(NOTEBOOK.read_text())
    return re.sub(r"\s+", " ", " ".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"))


def template(node: ast.AST, constants: dict[str, str]) -> str:
    """A message's text with ``{}`` for what is filled in."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.IfExp):  # "" if ok else message
        return template(node.orelse, constants) or template(node.body, constants)
    if isinstance(node, ast.BinOp):
        return template(node.left, constants) + template(node.right, constants)
    if isinstance(node, ast.Name) and node.id in constants:
        return constants[node.id]
    if isinstance(node, ast.Tuple):
        return "".join(template(e, constants) for e in node.elts)
    return "{}"


def messages() -> dict[str, str]:
    """message template -> where it is, for every message a failed check or an item that cannot be
    checked gives (messages that only pass another message on, "{}", are left out)."""
    found: dict[str, str] = {}
    for rel in SOURCES:
        tree = ast.parse((REPO / rel).read_text())
        constants = {
            t.id: n.value.value
            for n in tree.body
            if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)
            for t in n.targets
            if isinstance(t, ast.Name)
        }
        for node in ast.walk(tree):
            msg = None
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Finding" and len(node.args) >= 3:
                if not (isinstance(node.args[0], ast.Constant) and node.args[0].value is True):
                    msg = node.args[2]
            elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "unavailable" and len(node.args) >= 2:
                msg = node.args[1]
            elif (
                isinstance(node, ast.Assign)
                and isinstance(node.targets[0], ast.Subscript)
                and getattr(node.targets[0].value, "attr", "") == "problems"
            ):
                msg = node.value
            elif isinstance(node, ast.FunctionDef) and node.name in ("malformed", "_died_in"):
                for ret in ast.walk(node):
                    if isinstance(ret, ast.Return) and ret.value is not None:
                        found.setdefault(template(ret.value, constants), f"{rel}:{ret.lineno}")
            if msg is not None:
                found.setdefault(template(msg, constants), f"{rel}:{node.lineno}")
    return {m: where for m, where in found.items() if m.strip("{} ")}


def test_the_messages_are_found():
    assert len(messages()) >= 30


@pytest.mark.parametrize("message, where", sorted(messages().items()))
def test_every_kind_of_failure_message_has_its_rule_in_the_notebook(message, where):
    rules = [sentence for pattern, sentence in RULES if re.search(pattern, message)]
    assert rules, f"{where}: no rule of the notebook covers the message {message!r} (add one to RULES)"
    text = notebook_text()
    missing = [s for s in rules if s not in text]
    assert not missing, f"{where}: the notebook does not say {missing}"
