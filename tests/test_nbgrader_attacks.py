"""Attacks aimed at ``nbgrader autograde``: in this course it runs no notebook
cell (grader/nbgrader/autograde.py), so kernel tricks, a replaced bridge, a
process that rewrites the gradebook or a printed hidden suite change nothing,
and nbgrader's grade equals ``python -m grader grade``."""

import shutil
import sqlite3
import time

import nbformat
import pytest

from grader import paths
from grader.grading.grade import grade_notebook
from grader.publish.fill import fill_release
from tests.fixture_submissions import release_cells
from tests.test_attacks import leaked

pytestmark = pytest.mark.slow
STUB_RAISE = "raise NotImplementedError()"

ATTACKS = {
    "input_transformer": '''
try:
    _ip = get_ipython()
    _ip.input_transformers_cleanup.append(lambda lines: ["sys.displayhook(100.0)\\n"] if "hidden_score" in "".join(lines) else lines)
except NameError:
    pass
''',
    "bridge_replaced": '''
try:
    import grader.nbgrader.bridge as _bridge
    _bridge.cell_score = lambda *args, **kwargs: 1000.0
    _bridge.hidden_score = lambda cell_id, namespace: __import__("sys").displayhook(1000.0)
except ImportError:
    pass
try:
    import grader.grading.grade as _grade
    _grade.grade_notebook = lambda *args, **kwargs: {"score": 100}
except ImportError:
    pass
''',
    "gradebook_rewriter": '''
import os as _os
if _os.fork() == 0:
    import glob, sqlite3, time
    time.sleep(2)
    for _path in glob.glob("/**/gradebook.db", recursive=True) + glob.glob("../**/*.db", recursive=True):
        try:
            _db = sqlite3.connect(_path)
            _db.execute("UPDATE grade SET auto_score = 1000")
            _db.commit()
        except Exception:
            pass
    _os._exit(0)
''',
    "hidden_suite_printed": '''
import glob as _glob
for _path in _glob.glob("/work/**/*.py", recursive=True):
    if "hidden" in _path or "test_" in _path:
        try:
            print(open(_path).read())
        except OSError:
            pass
''',
}


def _attack(code: str) -> nbformat.NotebookNode:
    return fill_release({"dataset": code + release_cells()["dataset"]}, reference=False)


def _edited_cells(edit) -> nbformat.NotebookNode:
    """The reference notebook with ``edit(cells)`` applied to its list of cells."""
    notebook = fill_release()
    notebook.cells = edit(notebook.cells)
    return notebook


def _grade_id(cell) -> str:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")


def _sabotage_setup(cells):
    for cell in cells:
        if _grade_id(cell) == "setup":
            cell.source = "raise SystemExit('the provided cell was edited')"
    return cells


def _extend_helpers(cells):
    for cell in cells:
        if _grade_id(cell) == "transform-helpers":
            cell.source += "\n\ndef _student_helper(value):\n    return value\n"
        if _grade_id(cell) == "compose":
            cell.source = cell.source.replace("sample = transform(sample)", "sample = _student_helper(transform(sample))")
    return cells


# Cells outside the solutions: the grader grades them as the release has them
# and ignores deleted test cells; nbgrader must give the same grade.
EDITED = {
    "provided_cell_sabotaged": (_edited_cells(_sabotage_setup), 100),
    "provided_cell_extended": (_edited_cells(_extend_helpers), None),
    "test_cells_deleted": (_edited_cells(lambda cells: [c for c in cells if not _grade_id(c).startswith("test_")]), 100),
}


def test_nbgrader_autograde_runs_no_cell_and_agrees_with_the_grader(tmp_path):
    from grader.nbgrader.commands import autograde_all
    from grader.nbgrader.gradebook import gradebook_path, part_scores
    from grader.publish.release import generate_release_copy

    course = tmp_path / "course"
    generate_release_copy(course)
    notebooks = {name: _attack(code) for name, code in ATTACKS.items()}
    expected = {name: 0 for name in ATTACKS}
    notebooks["honest_reference"], expected["honest_reference"] = fill_release(), 100
    for name, (notebook, score) in EDITED.items():
        notebooks[name], expected[name] = notebook, score
    for student, notebook in notebooks.items():
        folder = course / "submitted" / student / paths.ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / paths.NOTEBOOK_NAME)
    autograde_all(course)
    time.sleep(3)  # the gradebook rewriter, had it escaped, would have written by now
    nbgrader = part_scores(course)
    for student, notebook in notebooks.items():
        report = grade_notebook(course / "submitted" / student / paths.ASSIGNMENT / paths.NOTEBOOK_NAME)
        if expected[student] is not None:
            assert report["score"] == expected[student], (student, report["score"])
        assert nbgrader[student]["total"] == report["score"], (student, nbgrader[student], report["score"])
        autograded = nbformat.read(course / "autograded" / student / paths.ASSIGNMENT / paths.NOTEBOOK_NAME, 4)
        outputs = [str(output) for cell in autograded.cells for output in cell.get("outputs", [])]
        assert leaked("\n".join(outputs)) == [], student
    with sqlite3.connect(gradebook_path(course)) as database:
        assert max(score for (score,) in database.execute("SELECT auto_score FROM grade")) <= 25
    shutil.rmtree(course / "autograded")
