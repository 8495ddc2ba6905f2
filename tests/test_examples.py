"""The bundled example submissions are current, and nbgrader grades them as expected."""

import pytest

from grader import paths
from grader.notebook import read_notebook
from tests.make_examples import example_notebooks


def _cells(notebook):
    return [(c.cell_type, c.source) for c in notebook.cells]


def test_bundled_examples_match_the_release():
    for student, expected in example_notebooks().items():
        committed = read_notebook(paths.SUBMITTED_DIR / student / paths.ASSIGNMENT / paths.NOTEBOOK_NAME)
        assert _cells(committed) == _cells(expected), f"{student} is stale: run `python -m tests.make_examples`"


@pytest.fixture(scope="module")
def hidden_grades():
    from grader.grade import grade_notebook

    return {student: grade_notebook(paths.SUBMITTED_DIR / student / paths.ASSIGNMENT / paths.NOTEBOOK_NAME)
            for student in example_notebooks()}


@pytest.mark.slow
def test_hidden_grader_orders_the_examples(hidden_grades):
    assert hidden_grades["example_perfect"]["score"] == 100
    assert hidden_grades["example_untouched"]["score"] == 0
    assert all(p["score"] == 0 for p in hidden_grades["example_untouched"]["parts"])
    assert 0 < hidden_grades["example_partial"]["score"] < 100


@pytest.mark.slow
def test_nbgrader_autograde_gives_the_same_totals(hidden_grades, tmp_path):
    import shutil

    from grader.nbgrader_grading import autograde_all, part_scores
    from grader.release import generate_release_copy

    generate_release_copy(tmp_path)  # registers the assignment in this course's gradebook
    for student in example_notebooks():
        shutil.copytree(paths.SUBMITTED_DIR / student, tmp_path / "submitted" / student)
    autograde_all(tmp_path)
    nbgrader = part_scores(tmp_path)
    for student, report in hidden_grades.items():
        parts = {p["name"]: p["score"] for p in report["parts"]}
        assert nbgrader[student]["total"] == report["score"], (student, nbgrader[student], parts)
        assert {k: v for k, v in nbgrader[student].items() if k != "total"} == parts, student


@pytest.mark.slow
def test_grading_twice_gives_identical_scores(hidden_grades):
    from grader.grade import grade_notebook

    again = grade_notebook(paths.SUBMITTED_DIR / "example_partial" / paths.ASSIGNMENT / paths.NOTEBOOK_NAME)
    first = hidden_grades["example_partial"]
    scores = lambda report: [(t["name"], t["status"], t["score"]) for p in report["parts"] for t in p["tests"]]
    assert scores(again) == scores(first)
