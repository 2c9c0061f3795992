"""CPU and wall seconds of a submission's training cells, for setting the time budgets.

    TQDM_DISABLE=1 .venv/bin/python tools/time_cells.py ref              # the reference solution
    TQDM_DISABLE=1 .venv/bin/python tools/time_cells.py loops solver     # a corpus variant, one cell
    TWO_LAYER_NET_DATASET=cifar10 CIFAR10_DIR=data .venv/bin/python tools/time_cells.py ref

Runs the source notebook's set-up cells and the answer cells (the reference's, or those of a
correct variant of tests/corpus.py) in this process on one BLAS thread, and prints one JSON line
per training cell. Not sandboxed: only for the course's own code. docs/thresholds.md has the
numbers the budgets in assignment.toml come from.
"""

import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import matplotlib  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

import corpus  # noqa: E402  (tests/corpus.py: the corpus lives with the tests)
from autograder.course.items import TRAINING_ITEMS  # noqa: E402
from autograder.course.reference import load_source  # noqa: E402

SETUP = ("setup_imports", "setup_data", "search_setup")


def main() -> None:
    threadpool_limits(1)
    matplotlib.use("Agg")
    variant, only = sys.argv[1], sys.argv[2:] or list(TRAINING_ITEMS)
    answers = {**corpus.ANSWERS, **(corpus.CORRECT[variant] if variant != "ref" else {})}
    ns: dict = {"__name__": "__main__"}
    for cell in load_source().cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if cell.cell_type != "code":
            continue
        if grade_id in SETUP:
            exec(cell.source, ns)  # deliberate: the course's own set-up cells
        elif grade_id in only:
            wall, cpu = time.monotonic(), time.process_time()
            exec(answers[grade_id], ns)  # deliberate: the course's own answer cells
            print(
                json.dumps(
                    {
                        "variant": variant,
                        "cell": grade_id,
                        "wall": round(time.monotonic() - wall, 2),
                        "cpu": round(time.process_time() - cpu, 2),
                    }
                ),
                flush=True,
            )
        elif grade_id in answers and grade_id not in TRAINING_ITEMS:
            exec(answers[grade_id], ns)  # deliberate: the course's own answer cells


if __name__ == "__main__":
    main()
