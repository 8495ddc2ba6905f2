"""The nbgrader cell model, in one place: what a cell is, and the regions inside it.

A cell's role comes from its nbgrader metadata (schema 3) and its tags:

* solution cell: ``nbgrader.solution`` is true (the student edits it);
* graded test cell: a code cell whose ``nbgrader.grade`` is true and that is not a solution;
* provided library cell: a code cell tagged ``export``.

The library code of a notebook is its solution and provided library cells, in
notebook order (``tinytorch.export`` defines it, since students run the export
themselves with the standard library alone; this module hands it on).

Inside a cell, ``### BEGIN SOLUTION`` / ``### END SOLUTION`` enclose the reference
code that the release replaces by a stub, and ``### BEGIN HIDDEN TESTS`` /
``### END HIDDEN TESTS`` the checks that the release drops.  ``cell_lines`` reads
them and, as nbgrader does, refuses a region opened inside another, an END without
its BEGIN and a region never closed (``ValueError`` naming the line).  The
predicates take a cell as parsed JSON or as an ``nbformat`` node alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from tinytorch.export import cell_name, cell_source, is_library_cell, library_cells

__all__ = ["BEGIN_SOLUTION", "END_SOLUTION", "BEGIN_HIDDEN", "END_HIDDEN", "Line", "cell_lines",
           "cell_name", "cell_source", "grade_id", "is_graded_test", "is_library", "is_solution",
           "library_cells", "nbgrader_metadata", "read_notebook", "solution_code", "strip_solution_markers"]

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
MARKER_WORDS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
_MARKER = re.compile(r"^\s*###\s+(BEGIN|END)\s+(SOLUTION|HIDDEN\s+TESTS)\s*$")
_REGION = {"SOLUTION": "solution", "HIDDEN TESTS": "hidden"}


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
    """The cell's nbgrader metadata, or an empty dict (also for a cell that is not a dict)."""
    if not isinstance(cell, dict):
        return {}
    return (cell.get("metadata") or {}).get("nbgrader") or {}


def grade_id(cell) -> str | None:
    """The cell's nbgrader ``grade_id``, or None."""
    return nbgrader_metadata(cell).get("grade_id")


def is_solution(cell) -> bool:
    return bool(nbgrader_metadata(cell).get("solution", False))


def is_graded_test(cell) -> bool:
    """A code cell worth points that is not a solution: nbgrader's autograded test cell."""
    meta = nbgrader_metadata(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade", False)) and not meta.get("solution", False)


def is_library(cell) -> bool:
    """True for code cells that belong to the exported library (solution or tagged ``export``)."""
    return is_library_cell(cell)


@dataclass(frozen=True)
class Line:
    """One line of a cell: its 1-based ``number``, its ``text``, the region it is in
    (``"solution"``, ``"hidden"`` or None) and whether it is that region's marker."""

    number: int
    text: str
    region: str | None
    marker: bool


def cell_lines(source: str) -> list[Line]:
    """The lines of a cell's source with the region each is in.

    Raises:
        ValueError: on a region opened inside another, an END that closes no open
            region of its kind, or a region still open at the end of the cell.
    """
    lines, region, opened = [], None, 0
    for number, text in enumerate(source.splitlines(), start=1):
        match = _MARKER.match(text)
        if match is None:
            lines.append(Line(number, text, region, False))
            continue
        kind = _REGION[" ".join(match.group(2).split())]
        if match.group(1) == "BEGIN":
            if region is not None:
                raise ValueError(f"line {number}: {text.strip()!r} inside the {region} region opened at line "
                                 f"{opened}; regions cannot nest")
            region, opened = kind, number
            lines.append(Line(number, text, kind, True))
        else:
            if region != kind:
                inside = f" (the {region} region opened at line {opened} is open)" if region else ""
                raise ValueError(f"line {number}: {text.strip()!r} closes no open {kind} region{inside}")
            lines.append(Line(number, text, kind, True))
            region = None
    if region is not None:
        raise ValueError(f"line {opened}: the {region} region opened here is never closed")
    return lines


def strip_solution_markers(source: str) -> str:
    """The cell's code as graded and exported: the solution markers removed, the code between kept.

    Raises:
        ValueError: if the cell's regions are malformed (see ``cell_lines``).
    """
    return "\n".join(line.text for line in cell_lines(source) if not (line.marker and line.region == "solution"))


@dataclass(frozen=True)
class SolutionCode:
    """A solution cell's code as graded (markers removed), which of its lines
    (1-based) are the student's to write, and each code line's line in the cell."""

    text: str
    solution_lines: frozenset[int]
    cell_line: dict[int, int]


def solution_code(source: str) -> SolutionCode:
    """Read a solution cell.  As in nbgrader, a solution cell without solution
    markers is the student's to write whole.

    Raises:
        ValueError: if the cell's regions are malformed (see ``cell_lines``).
    """
    lines = cell_lines(source)
    whole = not any(line.marker and line.region == "solution" for line in lines)
    kept, solution, cell_line = [], set(), {}
    for line in lines:
        if line.marker and line.region == "solution":
            continue
        kept.append(line.text)
        cell_line[len(kept)] = line.number
        if whole or line.region == "solution":
            solution.add(len(kept))
    return SolutionCode("\n".join(kept), frozenset(solution), cell_line)
