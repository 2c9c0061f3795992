"""Grading a class on a Dask cluster (``python -m autograder grade --scheduler ...``; docs/cluster.md).

=================  ==================================================================================
``tasks``          what a worker is sent (the notebook, its hash, the options) and grades
``compatibility``  a worker's fingerprint (grader files, Python, numpy, dataset, bubblewrap) and the
                   plugin that lets only the workers that grade as the instructor's machine take tasks
``scheduler``      reaching the scheduler (an address or a scheduler file); the refused workers
``grade``          :class:`ClusterGrader`: submits, collects, retries within bounds
=================  ==================================================================================

Nothing here is imported by local grading: Dask (``pip install '.[cluster]'``) is needed only here.
"""


class ClusterUnavailable(RuntimeError):
    """The scheduler cannot be reached, went away, or has no worker that may grade (exit status 2)."""
