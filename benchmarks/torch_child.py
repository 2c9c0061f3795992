"""One training implementation in a process of its own: ``python -m benchmarks.torch_child SPEC_JSON``.

PyTorch's OpenMP runtime reads ``OMP_WAIT_POLICY`` once, when torch is loaded, so each wait
policy needs its own process; a child can also be stopped when a busy machine makes it crawl;
and the Solver and PyTorch run in alternating children of the same shape, so that each pair
sees the same load of a shared machine.
SPEC_JSON: {"cifar10_dir": ..., "runs": [[config, threads, impl], ...], "repeats": n} with impl
"torch" (the default) or "solver". Prints one JSON line per finished run (so that a stopped child
still reports the runs it finished).
"""

from __future__ import annotations

import json
import sys


def main() -> int:
    spec = json.loads(sys.argv[1])
    from twolayer.data import load_dataset

    from .training import run_solver, run_torch

    data = load_dataset("cifar10", cifar10_dir=spec["cifar10_dir"])
    print(json.dumps({"ready": True}), flush=True)
    for _ in range(spec["repeats"]):
        for run in spec["runs"]:
            cfg, threads = run[0], run[1]
            impl = run[2] if len(run) > 2 else "torch"
            if impl == "solver":
                from threadpoolctl import threadpool_limits

                with threadpool_limits(threads):
                    result = run_solver(data, cfg)
            else:
                result = run_torch(data, cfg, threads=threads)
            print(json.dumps({"config": cfg["name"], "threads": threads, "impl": impl, **result}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
