"""Reading nbgrader notebooks: which cells are solutions, tests, library code.

A cell's role comes from its nbgrader metadata (schema 3) and its tags:

* solution cell: ``nbgrader.solution`` is true (the student edits it);
* graded test cell: ``nbgrader.grade`` is true and it is not a solution;
* provided library cell: a code cell tagged ``export``.

The library code of a notebook is its solution and provided library cells, in
notebook order; test cells, demos and plots are not part of it.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from tinytorch.export import is_library_cell, strip_solution_markers

__all__ = ["is_library", "strip_solution_markers", "library_cells", "read_notebook"]

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Read a notebook as nbformat v4.

    Raises:
        FileNotFoundError: if ``path`` does not exist.
        ValueError: if the file is not a readable notebook (the message names it).
    """
    path = Path(path)
    try:
        return nbformat.read(path, as_version=4)
    except FileNotFoundError:
        raise
    except Exception as error:  # nbformat raises many types for bad files
        raise ValueError(f"{path} is not a readable Jupyter notebook: {error}") from None


def nbgrader_metadata(cell) -> dict:
    """Return the cell's nbgrader metadata, or an empty dict."""
    return dict(cell.get("metadata", {}).get("nbgrader", {}))


def is_solution(cell) -> bool:
    return bool(nbgrader_metadata(cell).get("solution", False))


def is_graded_test(cell) -> bool:
    meta = nbgrader_metadata(cell)
    return bool(meta.get("grade", False)) and not meta.get("solution", False)


def is_library(cell) -> bool:
    """True for code cells that belong to the exported library."""
    return is_library_cell(cell)


def library_cells(notebook) -> list:
    """The solution and provided library code cells, in notebook order."""
    return [cell for cell in notebook.cells if is_library(cell)]
