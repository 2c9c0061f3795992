"""Run a command; print its wall time and the peak memory of its whole process tree.

    .venv/bin/python tools/measure_grading.py -- .venv/bin/python -m autograder grade NOTEBOOK \
        --dataset cifar10 --jobs 1
    .venv/bin/python tools/measure_grading.py --json out.json --timeout 3600 -- bash run_autograder

The CPU seconds are those of the command and of every process below it that its parent waited for.
The memory is what a container's limit counts: the resident memory (RSS) of the command and every
process below it (the grader, its sandboxed workers), summed, sampled every 0.1 s
(tests/process_tree.py, the sampler of the Gradescope test). The load average before and after is
printed too: on a shared machine the wall time means little without it. The command's own output
goes through; the exit status is the command's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from process_tree import peak_tree_rss  # noqa: E402  (tests/process_tree.py: the Gradescope test's sampler)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="tools/measure_grading.py", description="Wall time and peak tree memory (RSS) of a command."
    )
    parser.add_argument("--timeout", type=float, default=3600, help="seconds before the command is killed")
    parser.add_argument("--json", type=Path, help="also write the measurement to this file (JSON)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given (put it after --)")

    load_before = os.getloadavg()
    start = time.monotonic()
    proc = subprocess.Popen(command)
    peak = peak_tree_rss(proc, timeout=args.timeout)
    wall = time.monotonic() - start
    load_after = os.getloadavg()
    # CPU seconds of the command and every descendant its parents waited for (what one CPU must do).
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime
    result = {
        "command": command,
        "exit_status": proc.returncode,
        "wall_seconds": round(wall, 1),
        "cpu_seconds": round(cpu, 1),
        "peak_tree_rss_mb": round(peak / 1024**2),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "cpus": os.cpu_count(),
    }
    print(
        f"measure_grading: {wall:.1f} s wall, {cpu:.1f} s CPU, peak memory of the process tree "
        f"{peak / 1024**2:.0f} MB, "
        f"exit status {proc.returncode}; load average {load_before[0]:.2f} before, {load_after[0]:.2f} "
        f"after (1 min) on {os.cpu_count()} CPUs",
        file=sys.stderr,
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
