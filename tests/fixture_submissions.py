"""Example submissions kept as small Python files and turned into notebooks.

Each file in ``tests/fixtures/submissions/{buggy,correct}/`` describes one
student's notebook relative to the reference solution, or to another fixture:

    '''One line: the mistake (or the style of a correct alternative).'''
    BASE = "correct/list_loader_np_array_of_lists"  # optional: start from this fixture's cells
    CELLS = {"compose": "...whole cell source..."}   # optional: whole solution cells
    STUBS = {"compose": ["code for the 1st stub", ...]}  # optional: fill the release's stubs, in order
    BODIES = {"dataloader": {"DataLoader.__len__": "return sum(1 for _ in self)"}}  # optional
    REPLACE = {"dataloader": [       # optional: grade_id -> [(text, student text), ...]
        ("return math.ceil(len(self.dataset) / self.batch_size)",
         "return len(self.dataset) // self.batch_size"),
    ]}
    BREAKS = ["dataloader"]          # parts that must lose points; [] for correct ones
    RULE = "The sentence of the release the bug breaks."  # buggy ones

The code comes first and BREAKS after it, in every file.

STUBS models what a student does: each ``# YOUR CODE HERE`` /
``raise NotImplementedError()`` stub of the release cell is replaced by the
given code (indented to the stub's level).  REPLACE then applies to the
filled cell; without STUBS it applies to the reference cell.  Every text to
replace must occur in its cell, so a fixture fails loudly when the reference
changes under it.

BODIES (default: none) replaces the body of a function of a cell, named by
its dotted path (``"DataLoader.__iter__._EpochIterator.__next__"`` for a
class defined in a method), by dedented code: the ``def`` line and the
docstring stay, so a fixture that rewrites a method need not quote the
lines it throws away.  A path that names no function of the cell raises
ValueError.  The order: the base's cells, then CELLS, STUBS, BODIES and last
REPLACE, each applied to the result of the one before.

BASE (default: none) names another fixture, as ``folder/stem`` below
``tests/fixtures/submissions/``: this fixture's cells start as that
fixture's cells (its own BASE, STUBS, CELLS and REPLACE applied), CELLS and
STUBS replace a cell of it whole, and REPLACE applies to the result, so a
bug reads as the few lines it changes.  The docstring, BREAKS and RULE are
never inherited.  A base may have a base of its own; a BASE naming no
fixture, or a chain of bases that comes back to a fixture, raises
ValueError naming both files.  ``bases/`` holds bases that are not
submissions (no test grades them); a base in ``correct/`` is graded at 100
like any correct fixture.

``visible_cell_failures(notebooks)`` runs notebooks' visible test cells (the
release's plain asserts) as a student's kernel would and says which fail.
"""

from __future__ import annotations

import ast
import json
import os
import runpy
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat

from grader import paths
from grader.notebook import is_graded_test, is_solution, nbgrader_metadata, read_notebook
from grader.parts import part_of_test_cell
from grader.publish.examples import replace_each
from grader.publish.fill import fill_release, reference_solutions

FIXTURES_DIR = Path(__file__).parent / "fixtures" / "submissions"


@dataclass
class FixtureSubmission:
    name: str
    description: str
    breaks: list[str]
    replace: dict[str, list[tuple[str, str]]]
    cells: dict[str, str]
    stubs: dict[str, list[str]] = None
    base: str | None = None
    bodies: dict[str, dict[str, str]] = None

    def cell_sources(self) -> dict[str, str]:
        """grade_id -> the student's source for every cell this fixture (or
        its chain of bases) changes.

        Raises:
            ValueError: if a text to replace is not found in its cell, or
                BASE names no fixture, or the chain of bases is a cycle.
        """
        return self._sources(())

    def _sources(self, seen: tuple[str, ...]) -> dict[str, str]:
        reference = reference_solutions()
        sources = self._base(seen)._sources((*seen, self.name)) if self.base else {}
        sources.update(self.cells)
        for grade_id, fillings in (self.stubs or {}).items():
            sources[grade_id] = fill_stubs(release_cells()[grade_id], fillings, f"{self.name}/{grade_id}")
        for grade_id, bodies in (self.bodies or {}).items():
            source = sources.get(grade_id, reference[grade_id])
            for qualname, body in bodies.items():
                source = replace_body(source, qualname, body, f"fixture {fixture_file(self.name)}, cell {grade_id!r}")
            sources[grade_id] = source
        for grade_id, substitutions in self.replace.items():
            source = sources.get(grade_id, reference[grade_id])
            sources[grade_id] = replace_each(source, substitutions, f"fixture {self.name}", f"cell {grade_id!r}")
        return sources

    def _base(self, seen: tuple[str, ...]) -> FixtureSubmission:
        """The fixture BASE names, checked to exist and not to lead back here."""
        path = FIXTURES_DIR / f"{self.base}.py"
        if not path.is_file():
            raise ValueError(f"fixture {fixture_file(self.name)}: BASE {self.base!r} names no fixture "
                             f"(no file {fixture_file(self.base)})")
        chain = (*seen, self.name)
        if self.base in chain:
            loop = " -> ".join(fixture_file(name) for name in (*chain[chain.index(self.base):], self.base))
            raise ValueError(f"fixture {fixture_file(self.name)}: BASE {self.base!r} makes a cycle: {loop}")
        return load(path)

    def notebook(self) -> nbformat.NotebookNode:
        return fill_release(self.cell_sources())

    def notebook_in_part(self, part: str) -> nbformat.NotebookNode:
        """The notebook with this fixture's code in the solution cells of
        ``part`` only, and the reference in every other solution cell."""
        parts = solution_parts()
        return fill_release({grade_id: source for grade_id, source in self.cell_sources().items()
                             if parts.get(grade_id) == part})

    def write(self, directory: Path) -> Path:
        path = Path(directory) / f"{self.name.replace('/', '__')}.ipynb"
        nbformat.write(self.notebook(), path)
        return path


STUB = "# YOUR CODE HERE\nraise NotImplementedError()"


def fixture_file(name: str) -> str:
    """The file of the fixture ``name`` ("buggy/x"), relative to the repository."""
    return f"tests/fixtures/submissions/{name}.py"


def release_cells() -> dict[str, str]:
    """grade_id -> source of each solution cell of the release (with stubs)."""
    notebook = read_notebook(paths.RELEASE_NOTEBOOK)
    return {nbgrader_metadata(c)["grade_id"]: c.source for c in notebook.cells if is_solution(c)}


def solution_parts() -> dict[str, str]:
    """grade_id of each solution cell of the release -> its part: the part of
    the first visible test cell after it (the cell that checks it)."""
    notebook = read_notebook(paths.RELEASE_NOTEBOOK)
    parts, waiting = {}, []
    for cell in notebook.cells:
        if is_solution(cell):
            waiting.append(nbgrader_metadata(cell)["grade_id"])
        elif is_graded_test(cell):
            parts.update(dict.fromkeys(waiting, part_of_test_cell(nbgrader_metadata(cell)["grade_id"])))
            waiting = []
    return parts


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


def replace_body(source: str, qualname: str, body: str, where: str) -> str:
    """``source`` with the body of the function ``qualname`` replaced by
    ``body`` (dedented code, re-indented to the body's level).

    ``qualname`` is a dotted path of class and function names, each defined
    directly in the one before it: ``"DataLoader.__len__"``, or
    ``"DataLoader.__iter__._EpochIterator.__next__"`` for a class defined in a
    method.  The body is every line after the docstring (after the ``def``
    line when there is none) to the function's last line: the ``def`` line,
    its decorators and its docstring stay.

    Raises:
        ValueError: naming ``where`` and ``qualname``, if no such function is
            defined there, or its body starts on its ``def`` line.
    """
    node = ast.parse(source)
    for depth, name in enumerate(qualname.split(".")):
        defined = {child.name: child for child in node.body
                   if isinstance(child, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))}
        if name not in defined:
            inside = ".".join(qualname.split(".")[:depth]) or "the cell"
            raise ValueError(f"{where}: BODIES names {qualname!r}, but {inside} defines no {name!r} "
                             f"(it defines {sorted(defined) or 'nothing'})")
        node = defined[name]
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        raise ValueError(f"{where}: BODIES names {qualname!r}, a class, not a function")
    first = node.body[0]
    has_docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
        and isinstance(first.value.value, str)
    if first.lineno == node.lineno:
        raise ValueError(f"{where}: BODIES names {qualname!r}, whose body starts on its def line")
    lines = source.split("\n")
    first_line = min([first.lineno] + [d.lineno for d in getattr(first, "decorator_list", [])])
    start = first.end_lineno if has_docstring else first_line - 1  # 0-based index of the body's first line
    indent = " " * first.col_offset
    code = [indent + line if line.strip() else "" for line in textwrap.dedent(body).strip("\n").split("\n")]
    lines[start:node.end_lineno] = code
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
        base=values.get("BASE"),
        bodies=dict(values.get("BODIES", {})),
    )


def all_fixtures(kind: str) -> list[FixtureSubmission]:
    """Every fixture of ``kind`` ("buggy" or "correct"), sorted by name."""
    return [load(path) for path in sorted((FIXTURES_DIR / kind).glob("*.py"))]


VISIBLE_CELL_SECONDS = 3  # per cell; the release's test cells take milliseconds on correct code
VISIBLE_NOTEBOOK_SECONDS = 20  # per notebook, in case a cell swallows its own timeout
VISIBLE_RUNNER = Path(__file__).parent / "run_visible_cells.py"


def visible_run_cells(notebook: nbformat.NotebookNode) -> list[tuple[str, str, bool]]:
    """(grade_id, source, is_test) of the code cells a student runs to reach
    the last visible test cell, in order: the setup, solution, provided and
    test cells.  The demos, figures and benchmarks all come after it, and no
    test cell needs them."""
    code = [c for c in notebook.cells if c.cell_type == "code"]
    last = max(i for i, c in enumerate(code) if is_graded_test(c))
    return [(nbgrader_metadata(c).get("grade_id", f"cell {i}"), c.source, is_graded_test(c))
            for i, c in enumerate(code[: last + 1])]


def visible_cell_failures(notebooks: list[nbformat.NotebookNode], jobs: int = 2) -> list[dict[str, str | None]]:
    """For each notebook: grade_id of each visible test cell -> None if it
    runs to the end in the notebook's own state (every cell before it run,
    errors allowed), else why it failed (its assertion's message, the
    exception, or a timeout).

    ``jobs`` processes (tests/run_visible_cells.py) share the notebooks; each
    runs every notebook in a child of its own.  Trusted project code only:
    no sandbox.
    """
    requests = [visible_run_cells(notebook) for notebook in notebooks]
    shares = [list(range(len(requests)))[job::jobs] for job in range(jobs)]

    def run(share: list[int]) -> list[dict]:
        request = {"notebooks": [requests[i] for i in share], "cell_seconds": VISIBLE_CELL_SECONDS,
                   "notebook_seconds": VISIBLE_NOTEBOOK_SECONDS}
        done = subprocess.run([sys.executable, str(VISIBLE_RUNNER)], input=json.dumps(request),
                              capture_output=True, text=True, cwd=paths.RELEASE_DIR,
                              env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
                              timeout=60 + VISIBLE_NOTEBOOK_SECONDS * len(share))
        if done.returncode != 0:
            raise RuntimeError(f"{VISIBLE_RUNNER.name} failed ({done.returncode}): {done.stderr[-2000:]}")
        return json.loads(done.stdout)

    results: list[dict] = [{} for _ in requests]
    with ThreadPoolExecutor(jobs) as pool:
        for share, answers in zip(shares, pool.map(run, shares)):
            for index, answer in zip(share, answers):
                results[index] = answer
    return results
