"""Example submissions kept as small Python files and turned into notebooks.

Each file in ``tests/fixtures/submissions/{buggy,correct}/`` describes one
student's notebook relative to the reference solution:

    '''One line: the mistake (or the style of a correct alternative).'''
    BREAKS = ["dataloader"]          # parts that must lose points; [] for correct ones
    REPLACE = {                      # grade_id -> [(reference text, student text), ...]
        "dataloader": [("return math.ceil(len(self.dataset) / self.batch_size)",
                        "return len(self.dataset) // self.batch_size")],
    }
    STUBS = {"compose": ["code for the 1st stub", ...]}  # fill the release's stubs, in order
    CELLS = {"compose": "...whole cell source..."}   # optional: whole solution cells

STUBS models what a student does: each ``# YOUR CODE HERE`` /
``raise NotImplementedError()`` stub of the release cell is replaced by the
given code (indented to the stub's level).  REPLACE then applies to the
filled cell; without STUBS it applies to the reference cell.  Every text to
replace must occur in its cell, so a fixture fails loudly when the reference
changes under it.
"""

from __future__ import annotations

import runpy
from dataclasses import dataclass
from pathlib import Path

import nbformat

from grader import paths
from grader.notebook import is_solution, nbgrader_metadata, read_notebook
from grader.submission import fill_release, reference_solutions

FIXTURES_DIR = Path(__file__).parent / "fixtures" / "submissions"


@dataclass
class FixtureSubmission:
    name: str
    description: str
    breaks: list[str]
    replace: dict[str, list[tuple[str, str]]]
    cells: dict[str, str]
    stubs: dict[str, list[str]] = None

    def cell_sources(self) -> dict[str, str]:
        """grade_id -> the student's source for every cell this fixture changes.

        Raises:
            ValueError: if a reference text is not found in its cell.
        """
        reference = reference_solutions()
        sources = dict(self.cells)
        for grade_id, fillings in (self.stubs or {}).items():
            sources[grade_id] = fill_stubs(release_cells()[grade_id], fillings, f"{self.name}/{grade_id}")
        for grade_id, substitutions in self.replace.items():
            source = sources.get(grade_id, reference[grade_id])
            for old, new in substitutions:
                if old not in source:
                    raise ValueError(f"fixture {self.name}: text not found in cell {grade_id!r}: {old!r}")
                source = source.replace(old, new)
            sources[grade_id] = source
        return sources

    def notebook(self) -> nbformat.NotebookNode:
        return fill_release(self.cell_sources())

    def write(self, directory: Path) -> Path:
        path = Path(directory) / f"{self.name.replace('/', '__')}.ipynb"
        nbformat.write(self.notebook(), path)
        return path


STUB = "# YOUR CODE HERE\nraise NotImplementedError()"


def release_cells() -> dict[str, str]:
    """grade_id -> source of each solution cell of the release (with stubs)."""
    notebook = read_notebook(paths.RELEASE_NOTEBOOK)
    return {nbgrader_metadata(c)["grade_id"]: c.source for c in notebook.cells if is_solution(c)}


def fill_stubs(source: str, fillings: list[str], where: str) -> str:
    """Replace the stubs of ``source``, in order, by ``fillings`` (dedented
    code, re-indented to each stub's level).

    Raises:
        ValueError: if the number of fillings differs from the number of stubs.
    """
    lines = source.split("\n")
    stub_starts = [i for i in range(len(lines) - 1)
                   if lines[i].strip() == "# YOUR CODE HERE" and lines[i + 1].strip() == "raise NotImplementedError()"]
    if len(stub_starts) != len(fillings):
        raise ValueError(f"{where}: {len(fillings)} fillings for {len(stub_starts)} stubs")
    for start, filling in reversed(list(zip(stub_starts, fillings))):
        indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
        code = [indent + line if line.strip() else "" for line in filling.strip("\n").split("\n")]
        lines[start:start + 2] = code
    return "\n".join(lines)


def load(path: Path) -> FixtureSubmission:
    values = runpy.run_path(str(path))
    description = (values.get("__doc__") or "").strip().splitlines()
    return FixtureSubmission(
        name=f"{path.parent.name}/{path.stem}",
        description=description[0] if description else "",
        breaks=list(values.get("BREAKS", [])),
        replace=dict(values.get("REPLACE", {})),
        cells=dict(values.get("CELLS", {})),
        stubs=dict(values.get("STUBS", {})),
    )


def all_fixtures(kind: str) -> list[FixtureSubmission]:
    """Every fixture of ``kind`` ("buggy" or "correct"), sorted by name."""
    return [load(path) for path in sorted((FIXTURES_DIR / kind).glob("*.py"))]
