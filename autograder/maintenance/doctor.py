"""``python -m autograder sandbox [--record]``: what contains student code on this host, shown
working, and (``--record``) established afresh and recorded as this environment's containment
(``make setup`` runs it). Where nothing can contain student code, it says what to do: grading then
refuses to run any notebook until the host offers a sandbox or the instructor opts out.
"""

from __future__ import annotations

import sys

from autograder import sandbox
from autograder.sandbox import policy
from autograder.sandbox.mechanisms import forget


def main(record: bool = False) -> int:
    """Print the containment and try it: 0 when student code can be graded here, 1 when not."""
    if record:
        try:
            policy.record_path().unlink()
        except FileNotFoundError:
            pass
        forget()
    try:
        found = sandbox.announce(sys.stdout)
    except sandbox.SandboxUnavailable as err:
        print(f"NO SANDBOX: {err.reason}")
        print(f"What to do: {err.fix}.")
        print("Until then, graders refuse to run student code: every notebook is reported as not graded.")
        return 1
    record_note = policy.read_record()
    if record_note:
        print(f"recorded: {record_note['isolation']} ({policy.describe_record(record_note)})")
    problems = _try_it()
    for problem in problems:
        print(f"FAILED: {problem}")
    if problems:
        return 1
    print(f"Student code is graded here in: {found.summary()}.")
    return 0


def _try_it() -> list[str]:
    """Start a grader's worker and a kernel in the sandbox, as grading will."""
    from autograder.execution.remote import WorkerProcess
    from autograder.execution.target import RemoteTarget
    from autograder.nbgrader.kernel import confinement

    problems = []
    try:
        with WorkerProcess(timeout=60) as worker:
            RemoteTarget(worker).has("x")
    except sandbox.SandboxUnavailable as err:
        problems.append(f"the grader's worker did not start in the sandbox: {err.explain()}")
    ok, why = confinement.available()
    if not ok:
        problems.append(f"nbgrader's kernel would not start in the sandbox: {why}")
    return problems
