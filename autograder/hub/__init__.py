"""The course on a JupyterHub (``make hub``; docs/jupyterhub.md): its users, and the grading
service that gives students feedback on submit without waiting for a TA.

The hub itself is configured by ``hub/jupyterhub_config.py``; this package holds what it runs:

  layout        the hub's folders under one root, their owners and modes (one declaration)
  people        who uses the hub: instructors, TAs and the roster's students
  users         their Unix users and groups, all prefixed ``tln-`` (made, listed, removed)
  passwords     the hub's password file (scrypt hashes) and its JupyterHub authenticator
  spawner       LocalProcessSpawner that runs each user's JupyterLab as their own Unix user
  install       lays the hub out: users, course folder, gradebook, exchange, Jupyter settings
  control       ``make hub`` / ``make hub-stop``: start the hub in the background, stop it

and the grading service, a JupyterHub service the hub starts (``python -m autograder.hub serve``):

  inbound       watching the exchange's inbound: new submissions, read safely, refused with a reason
  queue         the queue and its journal: nothing graded twice or lost across restarts
  grader        grading one submission with the course grader's command line, in its sandbox
  record        recording the score in nbgrader's gradebook (nbgrader.api) and the TA's copy
  feedback      the student's feedback (the course's visibility policy), released through the exchange
  service       the loop that ties them together
"""
