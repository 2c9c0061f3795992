from nbgrader.preprocessors import Execute


class SandboxedExecute(Execute):
    """nbgrader's Execute, in the sandboxed kernel, then ``autograder.kernel.verdicts.after_execution``.

    After the execution nothing of the sandbox may still run, the links and special files the
    notebook left in its folder are removed (nbgrader writes the graded notebook there,
    unconfined), and each hidden test cell whose item the launcher's grader did not pass fails,
    and each visible test cell whose self_check the grader's own run of it did not pass: replacing
    check_hidden or self_check inside the kernel gains nothing. ``nbgrader_config.py`` puts it in
    autograde's place of Execute where the sandbox works (``c.Execute.kernel_name`` is read by this
    subclass too).
    """

    def create_kernel_manager(self):
        self._sandbox_km = super().create_kernel_manager()
        return self._sandbox_km

    def preprocess(self, nb, resources=None, km=None):
        from autograder.kernel.verdicts import after_execution
        from autograder.sandbox import mechanisms

        if not getattr(SandboxedExecute, "_announced", False):  # once per nbgrader process
            SandboxedExecute._announced = True
            self.log.info("Containment of student code on this host: %s", "; ".join(mechanisms().describe()))
        self._sandbox_km = km
        try:
            return super().preprocess(nb, resources, km)
        finally:
            after_execution(self._sandbox_km, nb, resources, self.log)
