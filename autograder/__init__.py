"""The pytest-based autograder of the two_layer_net assignment (`python -m autograder --help`)."""
