from nbgrader.preprocessors import OverwriteCells


class RestoreDeletedCells(OverwriteCells):
    """nbgrader's OverwriteCells, with deleted grade cells put back wherever they were.

    nbgrader 0.9.6 puts a deleted grade cell back after the source cell that preceded it, but
    looks that cell up among the submission's grade and solution cells only. When it is a
    read-only cell (a question's text, a set-up cell, a format check without points: true of 6
    of this notebook's 20 grade cells), autograde stops on a KeyError and grades nothing of the
    submission. Here a deleted grade cell goes right after the nearest earlier source cell of
    any kind that the submission still has (first in the notebook if none), in source order.
    Like its base class it does so only with ``c.OverwriteCells.add_missing_cells = True``.
    """

    def add_missing_grade_cells(self, nb, resources):
        source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        order = [cell.name for cell in source_nb.source_cells]  # the source notebook's order
        grade_cells = {cell.name: cell for cell in source_nb.grade_cells}
        solution_ids = {cell.name for cell in source_nb.solution_cells}
        source_cells = {cell.name: cell for cell in source_nb.source_cells}
        for position, grade_id in enumerate(order):
            present = [cell.metadata.get("nbgrader", {}).get("grade_id") for cell in nb.cells]
            if grade_id not in grade_cells or grade_id in present:
                continue
            self.log.warning("Missing grade cell %s encountered, adding to notebook", grade_id)
            before = next((present.index(name) for name in reversed(order[:position]) if name in present), -1)
            nb.cells.insert(
                before + 1,
                self.missing_cell_transform(
                    source_cells[grade_id], grade_cells[grade_id].max_score, is_solution=grade_id in solution_ids
                ),
            )
        return nb, resources
