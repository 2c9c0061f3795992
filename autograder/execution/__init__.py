"""Student code, out of the grader's process: a sandboxed worker that runs a submission's cells and
answers calls, started again when student code kills it.

``worker``   the process inside the sandbox (standard library and numpy only)
``remote``   the grader's side of it: starting it in the sandbox, the protocol, :class:`RemoteTarget`
``session``  a worker with a submission's cells run in it; the code a check calls (:class:`StudentCode`)
"""
