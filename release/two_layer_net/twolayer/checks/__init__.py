"""The checks of the notebook's items: what your check cells run (``self_check``) and, on inputs you
do not see, what the course's grader runs.

``visible``     ``self_check``: an item's checks on visible inputs (``visible.npz``), with its report
``layers``, ``losses``, ``network``, ``questions``
                the check functions of each group of items, on any inputs
``cases``       what a check function is built on: the inputs of a check and what is expected
``compare``     how values are compared (relative errors, gradients, inputs left unchanged)
``findings``    what a check says: a finding per thing checked, with a hint for a known mistake
``targets``     how a check calls the code under test (here your notebook's; the grader's sandbox)
"""

from .visible import self_check

__all__ = ["self_check"]
