"""nbgrader settings of the two_layer_net course (nbgrader 0.9).

nbgrader reads this file from the folder it runs in and from the course root. Every setting says
why it is here; what each was checked against is in tests/test_release.py and the comments.
"""

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - traitlets provides get_config() to config files

# --------------------------------------------------------------------------------------------
# The course folder
# --------------------------------------------------------------------------------------------
# The repository is the course folder: source/two_layer_net and release/two_layer_net are
# nbgrader's <root>/{source,release}/<assignment> layout. Take the folder of this file rather
# than nbgrader's default (the current directory), so that the commands work from any folder.
# `--CourseDirectory.root=DIR` on the command line still wins over this (traitlets gives the
# command line priority; tools/generate_release.py relies on it).
COURSE_ROOT = Path(__file__).resolve().parent
c.CourseDirectory.root = str(COURSE_ROOT)

# One assignment, one course; the id also names the course in the gradebook and the exchange.
c.CourseDirectory.course_id = "two_layer_net"

# The gradebook: a sqlite file inside the course folder. CourseDirectory.db_url is deliberately
# left at its default, which nbgrader derives from the root *at run time*
# (sqlite:///<root>/gradebook.db): setting it here would pin it to this folder and make a
# `--CourseDirectory.root=DIR` run write into this checkout's gradebook.
# (gradebook.db is in .gitignore.)

# A fresh clone has release/ (committed) but no gradebook: nbgrader autograde and
# generate_feedback would then fail for every student with "No assignment with ID
# 'two_layer_net' exists in the database". Stop them at once with what to run instead (`make
# register` or `make autograde`; autograder/nbgrader/gradebook.py).
try:
    from autograder.nbgrader.gradebook import stop_if_unregistered
except ImportError:  # not this course's environment: nbgrader's own error will do
    pass
else:
    stop_if_unregistered(sys.argv, COURSE_ROOT)

# The exchange (release_assignment / fetch / submit / collect) inside the course folder as well:
# nbgrader's default, /srv/nbgrader/exchange, needs a machine-wide folder writable by everyone.
c.Exchange.root = str(COURSE_ROOT / "exchange")

# Helper files that never belong in a released or collected assignment. nbgrader's defaults plus
# `datasets`: `python -m twolayer.download_cifar10` installs CIFAR-10 (180 MB) into
# twolayer/datasets/, which must be neither released nor copied into every student's autograded
# folder (when autograding on CIFAR-10, point CIFAR10_DIR at an install instead).
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "datasets"]

# --------------------------------------------------------------------------------------------
# The student version (nbgrader generate_assignment)
# --------------------------------------------------------------------------------------------
# What replaces a `### BEGIN SOLUTION ... ### END SOLUTION` region: nbgrader's own stubs, spelled
# out so that they cannot change under us: the checks' hint for an unanswered cell
# (twolayer/checks/findings.py, "Replace `raise NotImplementedError()` ...") and tests/test_release.py
# quote them.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# --------------------------------------------------------------------------------------------
# Autograding (nbgrader autograde)
# --------------------------------------------------------------------------------------------
# One cell's execution time limit, in seconds. The training cells (Solver run, hyperparameter
# search) take a few minutes each on CIFAR-10 with 2 cores; 10 minutes leaves room for a slow
# machine yet stops an infinite loop (the cell then fails with CellTimeoutError, the kernel is
# interrupted and the remaining cells still run). TWO_LAYER_NET_CELL_TIMEOUT overrides it (tests
# use a short one). nbgrader's own default is 30 s, far too short for training.
# (Nothing in this file may raise: nbgrader skips a configuration file that raises, the sandbox below
# included. A malformed value is said and the default kept.)
try:
    c.Execute.timeout = int(os.environ.get("TWO_LAYER_NET_CELL_TIMEOUT", "600"))
except ValueError:
    print("WARNING: TWO_LAYER_NET_CELL_TIMEOUT is not a whole number of seconds: 600 s used", file=sys.stderr)
    c.Execute.timeout = 600


# The training cells get the course's time budgets on its dataset, as in the course grader
# (twolayer/assignment.toml [budgets]); TWO_LAYER_NET_CELL_TIMEOUT, when set, is every cell's limit.
def _training_cell_timeout(cell) -> int:
    from autograder.course.items import TRAINING_ITEMS
    from twolayer.config import training_budgets

    grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
    return int(training_budgets()[grade_id]) if grade_id in TRAINING_ITEMS else c.Execute.timeout


if "TWO_LAYER_NET_CELL_TIMEOUT" not in os.environ:
    c.Execute.timeout_func = _training_cell_timeout

# The sandbox. nbgrader executes a submission in a Jupyter kernel with the rights of whoever
# runs nbgrader. So it executes it (autograde, and the instructor's validate) in the kernel
# `two_layer_net_sandbox` instead (autograder/nbgrader/kernel/): an unprivileged user, no network,
# read-only system and Python, writable only the submission's own folder and a private /tmp,
# CPU, memory and process limits (a cgroup, or RLIMIT_NPROC of its own user: the same on every
# kind of host, docs/security.md); the hidden test cells have their items graded outside the
# sandbox by the kernel's launcher. The notebooks name the kernel python3 (and
# OverwriteKernelspec puts that back), so the kernel is chosen here, for the execution only.
#   - this file writes the kernel specification into the environment (<sys.prefix>/share/
#     jupyter/kernels/two_layer_net_sandbox/), idempotently: no separate install step;
#   - the sandbox has no network, so the kernel talks to nbgrader over ZeroMQ's ipc transport
#     (unix sockets), at an absolute address in a private folder of this nbgrader process
#     (jupyter_client's default, "kernel-ipc", is relative: nbgrader and the kernel have
#     different working folders);
#   - SandboxedExecute (autograde's Execute; autograder/nbgrader/preprocessors/sandboxedexecute.py) then
#     makes sure nothing of the sandbox still runs, removes links and special files the notebook
#     left in its folder (nbgrader writes the graded notebook there, unconfined), and fails each
#     hidden test cell whose item the launcher's grader did not pass, and each visible test cell
#     whose self_check the grader's own run of it did not pass: replacing check_hidden or
#     self_check inside the kernel gains nothing.
# It fails closed, and nothing here decides otherwise: where the sandbox cannot be set up for a
# notebook (autograder/sandbox/policy.py), the kernel does not start, that notebook is reported as
# failed (not graded, no score) with the reason and the fix, and nbgrader goes on with the next one.
# Running without a sandbox is the instructor's explicit choice, never a fallback:
# AUTOGRADER_SANDBOX=none (or [sandbox] mode = "none" in twolayer/assignment.toml), printed in the
# log and recorded in each autograded notebook's metadata; the launcher still runs then, so that the
# grader outside the kernel still gives every verdict.
# A configuration file that raises is skipped by nbgrader (traitlets logs it and goes on with its
# defaults, the plain python3 kernel among them): so this part cannot raise, and names the kernel
# whatever happens. Without the course's environment, no kernel of that name starts, nor any notebook.
c.Execute.kernel_name = "two_layer_net_sandbox"  # autograder.nbgrader.kernel.kernelspec.KERNEL_NAME
try:
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute

    from autograder.nbgrader.kernel import ipc, kernelspec

    kernelspec.ensure_kernelspec()
    c.Execute.kernel_name = kernelspec.KERNEL_NAME  # read by SandboxedExecute too (a subclass)
    c.KernelManager.transport = "ipc"
    c.KernelManager.ip = ipc.ipc_address()
    c.Autograde.autograde_preprocessors = [
        "autograder.nbgrader.preprocessors.SandboxedExecute" if pp is Execute else pp
        for pp in Autograde.autograde_preprocessors.default()
    ]
except Exception as exc:  # noqa: BLE001 - said, and nothing runs: the kernel named above cannot start
    print(
        f"ERROR: the course's sandboxed kernel cannot be set up here ({type(exc).__name__}: {exc}): no "
        "notebook will be executed. Run nbgrader from the course's environment (make setup; .venv/bin/nbgrader).",
        file=sys.stderr,
    )

# Put back grade cells a student deleted (the hidden tests included: the gradebook keeps the
# source version of every cell). nbgrader restores the *source* of modified read-only cells by
# itself (OverwriteCells compares checksums with the gradebook), but a deleted grade cell only
# with add_missing_cells, which defaults to False: without it the deleted test never runs and
# the cell is left "needing manual grading". Its implementation in nbgrader 0.9.6 fails on this
# notebook, so autograde's first pass uses the fixed subclass RestoreDeletedCells
# (autograder/nbgrader/preprocessors/restoredeletedcells.py); the rest of the list is nbgrader's default.
c.OverwriteCells.add_missing_cells = True  # read by RestoreDeletedCells too (a subclass)
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "autograder.nbgrader.preprocessors.RestoreDeletedCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Files copied from source/two_layer_net over a student's submission before grading. nbgrader
# replaces *every* non-notebook file of the source folder (twolayer/*.py,
# twolayer/assignment.toml, ...) with the instructor's copy, except those listed here; nothing
# is listed, so a student's edited helper (say a checks.py that always passes, or an
# assignment.toml with lower thresholds) is overwritten. Spelled out so that nobody adds a
# helper here without seeing this comment.
c.Autograde.exclude_overwriting = {"two_layer_net": []}

# nbgrader gives a test cell 0 points as soon as it has *any* output on stderr
# (nbgrader.utils.determine_grade), not only when it raises. A harmless numpy RuntimeWarning
# ("overflow encountered in exp") or a tqdm progress bar printed while a test cell runs would
# thus zero a correct answer. Our test cells fail by raising, so drop those stderr outputs
# before the grades are saved (IgnorePattern runs right after Execute in autograde; it is off
# by default). Other stderr output still counts, as nbgrader intends.
#   - a Python warning:   "<file>:<line>: <Category>Warning: <message>"
#   - a tqdm progress bar: " 40%|####      | 4/10 [00:01<00:02, 2.5it/s]"
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"(?m)^.*:\d+: \w*Warning: |\d+%\|.*\| *\d+/\d+ \["
# (`nbgrader validate` -- the students' "Validate" button -- has no such hook: its preprocessors
# are fixed, so a warning in a test cell shows there as a failure although autograde accepts it.)

# --------------------------------------------------------------------------------------------
# Feedback (nbgrader generate_feedback)
# --------------------------------------------------------------------------------------------


# The autograded notebook that the feedback is made from holds the hidden tests again (autograde
# restores the test cells from the gradebook, hidden regions included), and nbgrader 0.9's
# feedback shows them as they are: it has no option of its own to hide them. So add nbgrader's
# ClearHiddenTests -- the preprocessor that strips them from the release -- to the feedback's
# preprocessors (after GetGrades, which reads the scores), and shorten the tracebacks of those
# cells first (HideHiddenTestTracebacks, autograder/nbgrader/preprocessors/hidehiddentesttracebacks.py).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "autograder.nbgrader.preprocessors.HideHiddenTestTracebacks",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# nbclient gives up on a cell when the kernel's output does not arrive within iopub_timeout (4 s by
# default) and nbgrader then drops the whole submission: on a busy machine a correct notebook
# with a lot of output got 0/92 (docs/benchmarks.md). Wait a minute instead. (The course's kernel
# also has no ZeroMQ high-water mark on its output, so that a flood of prints is queued, not
# dropped with the final "idle" message: autograder/nbgrader/kernel/confinement.py, KERNEL_BOOT.)
c.Execute.iopub_timeout = 60

# Late work: the course's late policy ([late] in twolayer/assignment.toml; autograder/course/late.py),
# the same one Gradescope's runner applies. nbgrader takes the points off at autograde.
c.AssignLatePenalties.plugin_class = "autograder.nbgrader.late_penalty.LatePenalty"
