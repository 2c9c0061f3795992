"""Many notebooks: a class graded in parallel jobs with a progress bar, its journal, and the same on
a Dask cluster.

``jobs``     :func:`grade_many`: local job processes, one notebook after another each
``journal``  every result written as it arrives; ``--resume``
``cluster``  grading on a Dask cluster (``grade --scheduler``)
"""
