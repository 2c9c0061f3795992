"""Grading on Gradescope: the autograder bundle, its per-submission runner, and results.json.

- ``bundle.py``      ``make gradescope``: dist/gradescope/autograder.zip (setup.sh, run_autograder, the grader)
- ``files/``         setup.sh and run_autograder as they go into the zip
- ``run.py``         what run_autograder runs for one submission: always a valid results.json
- ``submission.py``  the student's upload: the notebook, whatever its name, and best_model.npz
- ``metadata.py``    /autograder/submission_metadata.json: when it was submitted, the due dates
- ``results.py``     Gradescope's results.json from a typed result (also ``--format gradescope``)
- ``settings.py``    the ``[gradescope]`` table of twolayer/assignment.toml
- ``schema.py``      a JSON Schema of results.json written from Gradescope's specification
"""
