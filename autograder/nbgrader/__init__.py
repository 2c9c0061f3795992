"""Everything that ties the course grader to nbgrader.

``course``         a course folder: the real nbgrader commands in it, the gradebook's results
``gradebook``      whether the gradebook knows the assignment (read by ``nbgrader_config.py``)
``round``          a TA's round: ``make autograde``, ``make register``, ``make roster``
``check``          ``python -m autograder check``: what the hidden test cells run
``hidden``         ``check_hidden``, the hidden cells' client (the only module inside the sandbox)
``late_penalty``   nbgrader's late-penalty plugin, with the course's late policy
``canvas_export``  nbgrader's exporter to a Canvas gradebook
``preprocessors``  nbgrader preprocessors, one per file
``kernel``         the sandboxed kernel nbgrader executes notebooks in
"""
