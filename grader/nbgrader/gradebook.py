"""Read the scores ``nbgrader autograde`` wrote back from its SQLite gradebook, per part."""

from __future__ import annotations

import os
from pathlib import Path

from grader import paths
from grader.parts import PARTS, part_of_test_cell


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
