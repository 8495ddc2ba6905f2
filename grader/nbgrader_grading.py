"""Grade the submissions in submitted/ with nbgrader's own commands and read
the scores back from its SQLite gradebook, per part."""

from __future__ import annotations

import os
from pathlib import Path

from grader import paths
from grader.parts import PARTS, part_of_test_cell
from grader.release import run_nbgrader


def autograde_all(course_root: Path = paths.ROOT, assignment: str = paths.ASSIGNMENT) -> None:
    """``nbgrader autograde`` every submission in submitted/ (students are
    created in the gradebook as needed)."""
    run_nbgrader(["autograde", assignment, "--create", "--force", "--log-level=WARN"], course_root)


def generate_feedback(course_root: Path = paths.ROOT, assignment: str = paths.ASSIGNMENT) -> None:
    """``nbgrader generate_feedback``: HTML feedback per student under
    autograded/nbgrader_feedback/, with hidden tests removed (grader.nbgrader_feedback)."""
    run_nbgrader(["generate_feedback", assignment, "--force", "--log-level=WARN"], course_root)


def gradebook_path(course_root: Path = paths.ROOT) -> Path:
    """The gradebook nbgrader uses for ``course_root`` (see nbgrader_config.py)."""
    return Path(os.environ.get("TINYTORCH_GRADEBOOK") or Path(course_root) / "gradebook.db").resolve()


def part_scores(course_root: Path = paths.ROOT, assignment: str = paths.ASSIGNMENT,
                notebook: str = Path(paths.NOTEBOOK_NAME).stem) -> dict[str, dict[str, float]]:
    """Read the gradebook: student id -> {part: score, ..., "total": score}."""
    from nbgrader.api import Gradebook

    url = f"sqlite:///{gradebook_path(course_root)}"
    scores = {}
    with Gradebook(url) as gradebook:
        for submission in gradebook.assignment_submissions(assignment):
            student = submission.student.id
            row = {part: 0.0 for part in PARTS}
            nb = gradebook.find_submission_notebook(notebook, assignment, student)
            for grade in nb.grades:
                row[part_of_test_cell(grade.name)] += float(grade.score or 0.0)
            row["total"] = sum(row[part] for part in PARTS)
            scores[student] = row
    return scores


def part_max_scores(course_root: Path = paths.ROOT, assignment: str = paths.ASSIGNMENT,
                    notebook: str = Path(paths.NOTEBOOK_NAME).stem) -> dict[str, float]:
    """The points available in each part, from the gradebook."""
    from nbgrader.api import Gradebook

    url = f"sqlite:///{gradebook_path(course_root)}"
    maxima = {part: 0.0 for part in PARTS}
    with Gradebook(url) as gradebook:
        for cell in gradebook.find_notebook(notebook, assignment).grade_cells:
            maxima[part_of_test_cell(cell.name)] += float(cell.max_score)
    maxima["total"] = sum(maxima[part] for part in PARTS)
    return maxima
