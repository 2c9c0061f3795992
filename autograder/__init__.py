"""The pytest-based autograder of the two_layer_net assignment (`python -m autograder --help`)."""
from threadpoolctl import threadpool_limits

# The grader's own arithmetic is small, and several graders and sandboxed workers share the
# cores: one BLAS thread each. (OpenBLAS threads spin while they wait; oversubscribed, two
# graders' matrix products slowed each other down by orders of magnitude.)
threadpool_limits(1)
