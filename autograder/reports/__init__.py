"""What a grading writes: the text report, JSON, the grades CSV, Gradescope's results.json and a
Canvas gradebook, all from the typed results of :mod:`autograder.grading.results`.

``text``        the text report, for people
``json_report`` the JSON report, and the journal's lines
``grades_csv``  the grades CSV
``writer``      the reports a grading run's options ask for
``feedback``    the failed checks of a submission grouped into messages, each hint once
``gradescope``  Gradescope's results.json
``canvas``      a Canvas gradebook CSV matched to Canvas's own export
"""
