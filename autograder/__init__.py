"""The pytest-based autograder of the two_layer_net assignment (`python -m autograder --help`).

Importing the package changes nothing in the process; the command line (``cli.main``) limits
BLAS to one thread for the grader's own arithmetic.
"""
