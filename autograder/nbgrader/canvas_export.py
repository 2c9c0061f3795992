"""nbgrader's export to a Canvas gradebook CSV (``autograder.reports.canvas``):

    nbgrader export --exporter=autograder.nbgrader.canvas_export.CanvasExportPlugin \\
        --CanvasExportPlugin.roster=canvas_export.csv --to canvas_import.csv

One assignment (two_layer_net by default): each student's total, hand-graded points included,
less nbgrader's late penalty, out of the assignment's maximum.
"""

from __future__ import annotations

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin
from traitlets import Unicode

from autograder.reports.canvas import export

from .course import ASSIGNMENT


class CanvasExportPlugin(ExportPlugin):
    roster = Unicode("", help="the gradebook CSV exported from Canvas (Grades > Export)").tag(config=True)
    column = Unicode(
        "", help="the Canvas column of the assignment (default: the roster's column named two_layer_net...)"
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
            scores[student.id] = submission.score - (submission.late_submission_penalty or 0.0)
        result = export(scores, self.roster, gradebook.find_assignment(name).max_score, self.column or name)
        dest = self.to or "canvas.csv"
        with open(dest, "w", newline="") as f:
            f.write(result.text)
        self.log.info("Wrote the Canvas gradebook %s (column %s)", dest, result.column)
        for line in result.report().splitlines():
            self.log.warning(line)
