"""One notebook to its result: the suite of ``autograder/suite/`` run by pytest in this process.

``options``   what a grading is asked for (dataset, seed, items, timeouts, BLAS threads)
``run``       :func:`grade_submission`: pytest over one notebook, never raising for what it does
``plugin``    the pytest plugin: the state behind the suite's fixtures, and its hooks (a record per test)
``student``   the submission as the checks get it: its code in a sandboxed worker, its trained models
``scoring``   the records made into the typed result: grade cells, points, notes
``results``   the typed results every report and journal reads
"""
