"""Example submissions kept as small Python files and turned into notebooks.

Each file in ``tests/fixtures/submissions/{buggy,correct}/`` describes one
student's notebook relative to the reference solution:

    '''One line: the mistake (or the style of a correct alternative).'''
    BREAKS = ["dataloader"]          # parts that must lose points; [] for correct ones
    REPLACE = {                      # grade_id -> [(reference text, student text), ...]
        "dataloader": [("return math.ceil(len(self.dataset) / self.batch_size)",
                        "return len(self.dataset) // self.batch_size")],
    }
    CELLS = {"compose": "...whole cell source..."}   # optional: whole solution cells

Every reference text must occur in the reference cell (markers removed), so a
fixture fails loudly when the reference changes under it.
"""

from __future__ import annotations

import runpy
from dataclasses import dataclass
from pathlib import Path

import nbformat

from grader.submission import fill_release, reference_solutions

FIXTURES_DIR = Path(__file__).parent / "fixtures" / "submissions"


@dataclass
class FixtureSubmission:
    name: str
    description: str
    breaks: list[str]
    replace: dict[str, list[tuple[str, str]]]
    cells: dict[str, str]

    def cell_sources(self) -> dict[str, str]:
        """grade_id -> the student's source for every cell this fixture changes.

        Raises:
            ValueError: if a reference text is not found in its cell.
        """
        reference = reference_solutions()
        sources = dict(self.cells)
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


def load(path: Path) -> FixtureSubmission:
    values = runpy.run_path(str(path))
    description = (values.get("__doc__") or "").strip().splitlines()
    return FixtureSubmission(
        name=f"{path.parent.name}/{path.stem}",
        description=description[0] if description else "",
        breaks=list(values.get("BREAKS", [])),
        replace=dict(values.get("REPLACE", {})),
        cells=dict(values.get("CELLS", {})),
    )


def all_fixtures(kind: str) -> list[FixtureSubmission]:
    """Every fixture of ``kind`` ("buggy" or "correct"), sorted by name."""
    return [load(path) for path in sorted((FIXTURES_DIR / kind).glob("*.py"))]
