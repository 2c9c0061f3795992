"""The grader's checks, as a pytest suite: one module per group of items, one test per check.

``python -m autograder grade`` runs it for every submission; an instructor can run it directly:
``pytest autograder/suite --submission submitted/ada/two_layer_net/two_layer_net.ipynb -v``.
A test declares the item it grades and whether it is visible or hidden (``marks.py``); the
points are the course's, in ``twolayer/assignment.toml``.
"""
