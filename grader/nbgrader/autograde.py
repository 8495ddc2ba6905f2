"""``nbgrader autograde`` without running submission code outside the sandbox.

nbgrader's own ``Execute`` preprocessor runs the whole notebook in a Jupyter
kernel, where the student's code could rewrite the restored test cells, the
grading code or the gradebook.  This course replaces it (``nbgrader_config.py``,
``c.Autograde.autograde_preprocessors``) with ``GradeInSandbox``: it grades
the notebook exactly as ``python -m grader grade`` does (the library cells in
the sandboxed child, the judgements in this process) and writes each graded
test cell's points as that cell's only result, which nbgrader's
``SaveAutoGrades`` reads as partial credit.  No cell is executed by nbgrader,
so only trusted code writes the gradebook.

The points of a test cell are those of the tests whose file is named after it
(``grading_suite/*/test_<grade_id>.py``); the cell's output also lists what
failed, with the same messages as the grader's report.  Test cells the student
deleted are put back (the grader does not need them either), and provided
cells are graded as the release has them (``grader.grading.intake``), so both
give the same grade whatever the student did to cells outside the solutions.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool

from grader import paths
from grader.notebook import grade_id, is_graded_test

AUTOGRADE_PREPROCESSORS = [
    "grader.nbgrader.autograde.GradeInSandbox",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]


def cell_points(report: dict) -> dict[str, tuple[float, list[str]]]:
    """grade_id -> (points earned, lines about the tests lost) from a grading report."""
    cells: dict[str, tuple[float, list[str]]] = {}
    for part in report["parts"]:
        for test in part["tests"]:
            points, lost = cells.get(test["cell"], (0.0, []))
            if test["status"] == "passed":
                points += test["score"]
            else:
                lost = lost + [f"- {test['name']} ({test['status']}, -{test['max_score']:g}): {test['message']}"]
            cells[test["cell"]] = (points, lost)
    return cells


def _restore_deleted_test_cells(nb) -> None:
    """Append the release's graded test cells that the student deleted, so
    nbgrader records their points as the grader does (deleting a test cell
    does not change the grade)."""
    present = {grade_id(cell) for cell in nb.cells}
    release = nbformat.read(paths.RELEASE_NOTEBOOK, as_version=4)
    for cell in release.cells:
        if is_graded_test(cell) and grade_id(cell) not in present:
            nb.cells.append(cell)


class GradeInSandbox(NbGraderPreprocessor):
    """Grade the notebook in the sandbox and publish each test cell's points."""

    unsandboxed = Bool(False, help="grade without bubblewrap where it cannot run (trusted code only)").tag(config=True)

    def preprocess(self, nb, resources):
        from grader.grading.grade import grade_notebook

        with tempfile.TemporaryDirectory(prefix="tinytorch-nbgrader-") as folder:
            path = Path(folder) / paths.NOTEBOOK_NAME
            nbformat.write(nb, path)
            report = grade_notebook(path, unsandboxed=self.unsandboxed)
        points = cell_points(report)
        notices = [f"note: {notice}" for notice in report.get("notices", [])]
        _restore_deleted_test_cells(nb)
        for cell in nb.cells:
            if not is_graded_test(cell):
                continue
            earned, lost = points.get(grade_id(cell) or "", (0.0, ["- no graded test belongs to this cell"]))
            text = "\n".join([f"graded in the sandbox: {earned:g} points", *notices, *lost]) + "\n"
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text),
                            nbformat.v4.new_output("execute_result", data={"text/plain": repr(float(earned))},
                                                   execution_count=1)]
            cell.execution_count = 1
        return nb, resources
