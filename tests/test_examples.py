"""The bundled example submissions are current, and nbgrader grades them as expected."""

import pytest

from grader import paths
from grader.notebook import read_notebook
from grader.publish.examples import example_notebooks


def _cells(notebook):
    return [(c.cell_type, c.source) for c in notebook.cells]


def test_bundled_examples_match_the_release():
    for student, expected in example_notebooks().items():
        committed = read_notebook(paths.SUBMITTED_DIR / student / paths.ASSIGNMENT / paths.NOTEBOOK_NAME)
        assert _cells(committed) == _cells(expected), f"{student} is stale: run `python -m grader examples`"


@pytest.fixture(scope="module")
def hidden_grades():
    from grader.grading.grade import grade_notebook

    return {student: grade_notebook(paths.SUBMITTED_DIR / student / paths.ASSIGNMENT / paths.NOTEBOOK_NAME)
            for student in example_notebooks()}


@pytest.mark.slow
def test_hidden_grader_orders_the_examples(hidden_grades):
    assert hidden_grades["example_perfect"]["score"] == 100
    assert hidden_grades["example_untouched"]["score"] == 0
    assert all(p["score"] == 0 for p in hidden_grades["example_untouched"]["parts"])
    assert 0 < hidden_grades["example_partial"]["score"] < 100


@pytest.fixture(scope="module")
def nbgrader_course(tmp_path_factory):
    """A throw-away course: release generated, examples submitted and autograded by nbgrader."""
    import shutil

    from grader.nbgrader.commands import autograde_all
    from grader.publish.release import generate_release_copy

    course = tmp_path_factory.mktemp("nbgrader-course")
    generate_release_copy(course)  # registers the assignment in this course's gradebook
    for student in example_notebooks():
        shutil.copytree(paths.SUBMITTED_DIR / student, course / "submitted" / student)
    autograde_all(course)
    return course


@pytest.mark.slow
def test_nbgrader_autograde_gives_the_same_totals(hidden_grades, nbgrader_course):
    from grader.nbgrader.gradebook import part_scores

    nbgrader = part_scores(nbgrader_course)
    for student, report in hidden_grades.items():
        parts = {p["name"]: p["score"] for p in report["parts"]}
        assert nbgrader[student]["total"] == report["score"], (student, nbgrader[student], parts)
        assert {k: v for k, v in nbgrader[student].items() if k != "total"} == parts, student


@pytest.mark.slow
def test_grading_twice_gives_identical_scores(hidden_grades):
    from grader.grading.grade import grade_notebook

    again = grade_notebook(paths.SUBMITTED_DIR / "example_partial" / paths.ASSIGNMENT / paths.NOTEBOOK_NAME)
    first = hidden_grades["example_partial"]
    scores = lambda report: [(t["name"], t["status"], t["score"]) for p in report["parts"] for t in p["tests"]]
    assert scores(again) == scores(first)


@pytest.mark.slow
def test_nbgrader_feedback_and_export_keep_working_without_leaking(nbgrader_course):
    from grader.publish.leaks import hidden_suite_files, secret_lines
    from grader.nbgrader.commands import generate_feedback
    from grader.nbgrader.commands import run_nbgrader

    ours = nbgrader_course / "autograded" / "feedback" / "example_partial" / paths.ASSIGNMENT / "feedback.md"
    ours.parent.mkdir(parents=True)
    ours.write_text("the grader's feedback")
    generate_feedback(nbgrader_course)
    assert ours.read_text() == "the grader's feedback", "nbgrader's feedback must not replace the grader's"
    pages = sorted((nbgrader_course / "autograded" / "nbgrader_feedback").rglob("*.html"))
    assert len(pages) == len(example_notebooks())
    secrets = secret_lines(paths.SOURCE_NOTEBOOK, hidden_suite_files())
    hidden_calls = [line for line in secrets if "hidden_score" in line]
    assert hidden_calls, "the source notebook's graded cells call the hidden suite"
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "HIDDEN TESTS" not in html and "hidden_score" not in html, page
        assert "Score:" in html or "score" in html.lower()
    run_nbgrader(["export"], nbgrader_course)
    assert not (nbgrader_course / "grades.csv").exists(), "real grades at the root could be committed"
    exported = (nbgrader_course / "autograded" / "nbgrader_grades.csv").read_text()
    assert all(student in exported for student in example_notebooks())
