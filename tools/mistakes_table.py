"""Write docs/mistakes.md: every mistake of the corpus, the item it costs, the points and the message."""
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import corpus  # noqa: E402
from autograder.grading import CODE_ITEMS, Options, grade_submission  # noqa: E402


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="tln-mistakes-"))

    def run(m):
        path = corpus.write_submission(tmp / m.name.replace(" ", "_") / "two_layer_net" / "two_layer_net.ipynb", m.answers)
        items = (m.item,) if m.item in ("solver", "hyperparameter_search") else CODE_ITEMS
        return m.name, grade_submission(path, Options(seed=1234, items=items))

    with ThreadPoolExecutor(2) as pool:
        results = dict(pool.map(run, corpus.MISTAKES))
    out = REPO / "docs" / "mistakes.md"
    out.write_text(corpus.mistakes_markdown(corpus.mistake_rows(results)))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
