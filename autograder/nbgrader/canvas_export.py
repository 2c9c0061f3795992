"""nbgrader's export to a Canvas gradebook CSV (``autograder.reports.canvas``):

    nbgrader export --exporter=autograder.nbgrader.canvas_export.CanvasExportPlugin \\
        --CanvasExportPlugin.roster=canvas_export.csv --to canvas_import.csv

One assignment (two_layer_net by default), in the roster's own column of it (found by name, or
``--CanvasExportPlugin.column``), its Points Possible kept: each student's total in nbgrader's
gradebook, hand-graded points included, less nbgrader's late penalty; a submission still waiting
for a hand grade is left empty.
"""

from __future__ import annotations

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin
from traitlets import Unicode

from autograder.reports.canvas import export

from .course import ASSIGNMENT

CARRIES = (
    "nbgrader's total: the autograded points and those graded by hand, less late penalties (a submission "
    "still waiting for a hand grade is left empty)"
)


class CanvasExportPlugin(ExportPlugin):
    roster = Unicode("", help="the gradebook CSV exported from Canvas (Grades > Export)").tag(config=True)
    column = Unicode(
        "",
        help="the Canvas column of the assignment: its full name, its Canvas id or its title (default: the "
        "roster's column titled like the assignment, e.g. 'Two Layer Net (4471)' for two_layer_net)",
    ).tag(config=True)

    def export(self, gradebook: Gradebook) -> None:
        if not self.roster:
            raise ValueError("--CanvasExportPlugin.roster=FILE: the gradebook CSV exported from Canvas")
        name = self.assignment[0] if self.assignment else ASSIGNMENT
        scores: dict[str, float | None] = {}
        for student in gradebook.students:
            try:
                submission = gradebook.find_submission(name, student.id)
            except MissingEntry:
                continue
            if submission.needs_manual_grade:  # a partial total would look final in Canvas
                scores[student.id] = None
            else:
                scores[student.id] = submission.score - (submission.late_submission_penalty or 0.0)
        out_of = gradebook.find_assignment(name).max_score
        result = export(scores, self.roster, carries=CARRIES, out_of=out_of, column=self.column or name)
        dest = self.to or "canvas.csv"
        with open(dest, "w", newline="") as f:
            f.write(result.text)
        self.log.info("Wrote the Canvas gradebook %s", dest)
        for line in result.report().splitlines():
            self.log.warning(line)
