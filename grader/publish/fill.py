"""Build submissions from the release: the student notebook with its solution
cells filled in.  Used for the bundled examples and for grader fixtures."""

from __future__ import annotations

from pathlib import Path

import nbformat

from grader import paths
from grader.notebook import grade_id, is_solution, read_notebook, strip_solution_markers


def reference_solutions(source_notebook: Path = paths.SOURCE_NOTEBOOK) -> dict[str, str]:
    """Map each solution cell's grade_id to its reference code, markers removed."""
    notebook = read_notebook(source_notebook)
    return {grade_id(cell): strip_solution_markers(cell.source)
            for cell in notebook.cells if is_solution(cell)}


def fill_release(replacements: dict[str, str] | None = None, *, reference: bool = True,
                 release_notebook: Path = paths.RELEASE_NOTEBOOK,
                 source_notebook: Path = paths.SOURCE_NOTEBOOK) -> nbformat.NotebookNode:
    """Return the release notebook with its solution cells filled.

    Args:
        replacements: grade_id -> code for the cells to fill with given code.
        reference: default True fills every other solution cell with the
            reference solution; False leaves them as the release's stubs.
        release_notebook, source_notebook: the notebooks to start from.

    Raises:
        KeyError: if a replacement names a grade_id that is not a solution cell.
    """
    replacements = dict(replacements or {})
    solutions = reference_solutions(source_notebook) if reference else {}
    notebook = read_notebook(release_notebook)
    unknown = set(replacements) - {grade_id(c) for c in notebook.cells if is_solution(c)}
    if unknown:
        raise KeyError(f"no solution cell with grade_id {sorted(unknown)}")
    for cell in notebook.cells:
        if not is_solution(cell):
            continue
        name = grade_id(cell)
        if name in replacements:
            cell.source = replacements[name]
        elif name in solutions:
            cell.source = solutions[name]
    return notebook
