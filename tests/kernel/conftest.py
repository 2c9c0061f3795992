"""The tests of autograder/kernel/: their helper module ``corpus`` lives in tests/."""

import sys
from pathlib import Path

TESTS = str(Path(__file__).resolve().parents[1])
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)
