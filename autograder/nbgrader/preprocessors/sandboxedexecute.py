from nbgrader.preprocessors import Execute


class SandboxedExecute(Execute):
    """nbgrader's Execute, in the course's sandboxed kernel, then ``kernel.verdicts.after_execution``.

    It fails closed: where the containment this host must give student code cannot be had, the
    notebook is not executed at all, and nbgrader reports it as failed (not graded, no score) with
    the reason and the fix; the same where the kernel's launcher refuses this notebook.
    After the execution nothing of the sandbox may still run, the links and special files the
    notebook left in its folder are removed (nbgrader writes the graded notebook there,
    unconfined), and each hidden test cell whose item the launcher's grader did not pass fails,
    and each visible test cell whose self_check the grader's own run of it did not pass: replacing
    check_hidden or self_check inside the kernel gains nothing. ``nbgrader_config.py`` puts it in
    autograde's place of Execute (``c.Execute.kernel_name`` is read by this subclass too).
    """

    def create_kernel_manager(self):
        self._sandbox_km = super().create_kernel_manager()
        return self._sandbox_km

    def preprocess(self, nb, resources=None, km=None):
        from autograder.nbgrader.kernel.verdicts import NotGraded, after_execution
        from autograder.sandbox import SandboxUnavailable, mechanisms
        from autograder.sandbox.reaper import reap

        try:
            contained = mechanisms()
        except SandboxUnavailable as err:
            self.log.error("NOT GRADED: student code cannot be contained here: %s", err.explain())
            raise NotGraded(
                f"NOT GRADED, and not the student's doing: student code cannot be contained here, so none "
                f"of it ran: {err.explain()}"
            ) from None
        if not getattr(SandboxedExecute, "_announced", False):  # once per nbgrader process
            SandboxedExecute._announced = True
            for reaped in reap():
                self.log.warning("Reaped what an earlier, killed grading left: %s", reaped)
            self.log.info("Containment of student code on this host: %s", "; ".join(contained.describe()))
            if contained.mode.opted_out:
                self.log.warning("Student code runs WITHOUT a sandbox (%s)", contained.mode.source)
        self._sandbox_km = km
        try:
            return super().preprocess(nb, resources, km)
        finally:
            after_execution(self._sandbox_km, nb, resources, self.log)
