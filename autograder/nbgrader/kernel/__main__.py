"""``python -I -m autograder.nbgrader.kernel -f CONNECTION_FILE``: the sandboxed kernel's launcher."""

import sys

from .launcher import main

sys.exit(main())
