"""What this machine offers the sandbox, for the tests' skip conditions (never raises)."""

from __future__ import annotations

import functools

from autograder.sandbox import SandboxUnavailable, mechanisms


def isolation() -> str:
    """ "bubblewrap", "landlock", "none" (chosen), or "unavailable"."""
    try:
        return mechanisms().isolation
    except SandboxUnavailable:
        return "unavailable"


@functools.lru_cache(maxsize=1)
def kernel_sandbox() -> tuple[bool, str]:
    """Whether nbgrader's kernel starts in the sandbox here, and why not (probed once per test process)."""
    from autograder.nbgrader.kernel import confinement

    return confinement.available()
