"""The peak memory of a process tree, as a container's memory limit counts it.

Imported by the Gradescope test (tests/test_autograder/test_gradescope/test_run_autograder.py)
and by tools/measure_grading.py, which prints a command's wall time and peak memory.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path


def peak_tree_rss(proc: subprocess.Popen, timeout: float) -> int:
    """Wait for ``proc``; the largest memory (RSS) its processes held at once, sampled every 0.1 s.

    The whole tree: the grader and its sandboxed workers, which is what a container's memory
    limit counts (the workers are descendants in /proc even inside bubblewrap's namespaces)."""
    deadline, peak = time.monotonic() + timeout, 0
    while proc.poll() is None:
        if time.monotonic() > deadline:
            proc.kill()
            raise TimeoutError(f"{proc.args!r} did not finish within {timeout:.0f} s")
        parents, rss = {}, {}
        for entry in Path("/proc").iterdir():
            try:
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
                rss[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[21]) * os.sysconf("SC_PAGE_SIZE")
            except (OSError, ValueError, IndexError):
                continue
        total = 0
        for pid, size in rss.items():
            p = pid
            while p not in (0, 1, proc.pid):
                p = parents.get(p, 0)
            total += size if p == proc.pid else 0
        peak = max(peak, total)
        time.sleep(0.1)
    return peak
