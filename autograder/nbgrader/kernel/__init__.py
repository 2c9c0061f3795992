"""A Jupyter kernel confined by bubblewrap, for ``nbgrader autograde`` (and ``validate``).

nbgrader executes a submission in a Jupyter kernel with the rights of whoever runs it. The
course's ``nbgrader_config.py`` writes the kernel specification ``two_layer_net_sandbox`` and
selects it where the sandbox works; Jupyter then starts the launcher, *outside* the sandbox, as
``python -I -m autograder.nbgrader.kernel -f {connection_file}``. One job per module:

``kernelspec``     the kernel specification, written into the environment.
``launcher``       what Jupyter starts: the sandboxed ipykernel, its signals, its clean-up.
``confinement``    the sandbox of the kernel (``autograder/sandbox/``'s), its limits and
                   environment, and whether it works here.
``ipc``            ZeroMQ over unix sockets between nbgrader and the kernel (no network inside).
``grader_server``  grades the hidden test cells for ``check_hidden``, outside the sandbox.
``hidden_checks``  runs ``python -m autograder check`` for a hidden cell, one item or the batch
                   (shared with ``check_hidden`` in a plain kernel).
``verdicts``       the launcher's record of the grader's verdicts, and what nbgrader makes of
                   them after the execution (``after_execution``).
``cleanup``        links and special files left in the folder; leftovers of killed launchers.

Nothing is imported here: ``autograder.nbgrader.hidden`` imports ``hidden_checks`` alone.
"""
