from nbgrader.preprocessors import NbGraderPreprocessor


class HideHiddenTestTracebacks(NbGraderPreprocessor):
    """In a cell with hidden tests, reduce each error to its name and message.

    The traceback of a failed hidden test quotes the hidden lines of the cell and the grader's
    own code; the message (written for students) is all the feedback should show.
    Runs before ClearHiddenTests, which removes the markers it looks for.
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and "BEGIN HIDDEN TESTS" in cell.source:
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources
