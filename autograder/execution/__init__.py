"""Student code, out of the grader's process: a sandboxed worker that runs a submission's cells and
answers calls, started again when student code kills it.

``worker``            the process inside the sandbox (standard library and numpy only)
``remote``            the grader's side of it: starting it in the sandbox, the protocol, answering callbacks
``target``            :class:`RemoteTarget`, the checks' view of a worker
``session``           a worker with a submission's cells run in it; the code a check calls (:class:`StudentCode`)
``stand_ins``         the grader's correct versions of items that fail their own checks, in the worker's place
                      of the student's: what they answer for, and the bounds of their calls
``reference_server``  the process, outside the sandbox, that computes the stand-ins' answers with the reference
"""
