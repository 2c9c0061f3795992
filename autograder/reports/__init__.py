"""What a grading writes: the text report, JSON, the grades CSV, Gradescope's results.json, a Canvas
gradebook, and the class report, all from the typed results of :mod:`autograder.grading.results`.

``text``          the text report, for people
``json_report``   the JSON report, and the journal's lines
``grades_csv``    the grades CSV
``writer``        the reports a grading run's options ask for
``feedback``      the failed checks of a submission grouped into messages, each hint once
``gradescope``    Gradescope's results.json
``canvas``        a Canvas gradebook CSV: the roster's own column filled
``class_report``  the class report (``python -m autograder report``), one module per step: ``load``
                  (the results, typed), ``handgraded`` (the points and comments given in formgrader),
                  ``statistics`` (every number it shows), ``anonymity`` (names, or numbers for the
                  course staff), ``plots`` (matplotlib, inline SVG), ``class_html`` (the
                  self-contained page) and ``checks_csv`` (checks x students)
"""
