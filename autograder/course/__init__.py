"""The assignment as data: what is graded and how a submission reads, beside the course settings
of ``twolayer/assignment.toml``.

``names``      the assignment's and its notebook's names, spelled once
``items``      the graded items, declared once (grade_id, defined name, model, depends)
``notebook``   reading a submitted notebook: its answer cells, and the program a worker runs
``reference``  the reference solution, from the source notebook's solution cells; the course folder
``dataset``    the split the grader scores trained models on
``late``       the late policy
``release``    what an assignment folder may give a release (the allow-list)
``gradescope_settings``  the ``[gradescope]`` table, checked
``version``    the grader's version and commit, as results record it

Nothing here runs student code, and nothing here imports the rest of the grader.
"""
