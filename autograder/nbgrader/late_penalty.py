"""nbgrader's late-submission plugin with the course's late policy (``autograder.course.late``).

nbgrader_config.py names it (``c.AssignLatePenalties.plugin_class``); nbgrader calls it once per
late notebook with the notebook's total score and how many seconds late it was, and takes off
the points it returns.
"""

from __future__ import annotations

from nbgrader.plugins import LateSubmissionPlugin

from autograder.course.late import LatePolicy


class LatePenalty(LateSubmissionPlugin):
    """The penalty of ``[late]`` in twolayer/assignment.toml (nbgrader's own ``penalty_method`` is unused)."""

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float:
        lateness = LatePolicy.from_settings().apply(total_seconds_late)
        penalty = round(score - lateness.score(score), 4)
        if penalty:
            self.log.warning("%s: %s", student_id, lateness.text(score, score))
        return penalty
