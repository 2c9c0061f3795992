"""Write docs/mistakes.md: every mistake of the corpus, the item it costs, the points and the message.

    .venv/bin/python tools/mistakes_table.py

The mistakes are graded by ``tests/corpus_grading.py``'s ``grade_mistakes``, as the test that
checks the table (tests/test_autograder/test_grading.py) grades them.
"""

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import corpus  # noqa: E402  (tests/corpus.py: the corpus lives with the tests)
from corpus_grading import grade_mistakes  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="tln-mistakes-") as tmp:
        results = grade_mistakes(Path(tmp))
    out = REPO / "docs" / "mistakes.md"
    out.write_text(corpus.mistakes_markdown(corpus.mistake_rows(results)))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
