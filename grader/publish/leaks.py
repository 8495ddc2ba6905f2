"""Find instructor-only content in a release folder.

A release leaks if any file under it contains a solution or hidden-test
marker, a line of the reference solution, or a line of a hidden test.  Lines
are compared after stripping whitespace; a line counts as instructor-only when
it is long enough to be specific (``MIN_LINE_LENGTH``) and never appears
outside the solution and hidden-test regions of the source notebook.
"""

from __future__ import annotations

import json
from pathlib import Path

from grader import paths
from grader.limits import LEAK_MIN_LINE_LENGTH as MIN_LINE_LENGTH
from grader.notebook import MARKER_WORDS as MARKERS
from grader.notebook import cell_lines, read_notebook


def _split_regions(source: str) -> tuple[list[str], list[str]]:
    """Return (lines inside solution/hidden regions, lines outside them), stripped, markers left out.

    Raises:
        ValueError: if the cell's regions are malformed (``grader.notebook.cell_lines``).
    """
    inside, outside = [], []
    for line in cell_lines(source):
        if line.text.strip() and not line.marker:
            (inside if line.region else outside).append(line.text.strip())
    return inside, outside


def secret_lines(source_notebook: Path, extra_files: list[Path] = ()) -> set[str]:
    """The specific lines that must never reach students: lines of the solution
    and hidden-test regions of ``source_notebook``, plus the lines of
    ``extra_files`` (for example the hidden test suite)."""
    notebook = read_notebook(source_notebook)
    inside, outside = [], []
    for cell in notebook.cells:
        cell_inside, cell_outside = _split_regions(cell.source)
        inside += cell_inside
        outside += cell_outside
    for path in extra_files:
        inside += [line.strip() for line in Path(path).read_text(encoding="utf-8").splitlines()]
    for path in public_test_files():
        outside += [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    public = set(outside)
    return {line for line in inside
            if len(line) >= MIN_LINE_LENGTH and line not in public and not line.startswith("#")
            and line not in ('"""', "'''")}


def _texts_of(path: Path) -> list[str]:
    """The texts a person could read in ``path``: for a notebook, each cell's
    source and text outputs; for any other file, its decoded bytes."""
    raw = path.read_bytes()
    text = raw.decode("utf-8", errors="replace")
    if path.suffix == ".ipynb":
        try:
            notebook = json.loads(text)
        except ValueError:
            return [text]
        texts = [text]
        for cell in notebook.get("cells", []):
            source = cell.get("source", "")
            texts.append("".join(source) if isinstance(source, list) else source)
            for output in cell.get("outputs", []):
                for value in [output.get("text", "")] + list(output.get("data", {}).values()):
                    texts.append("".join(value) if isinstance(value, list) else str(value))
                texts += [str(line) for line in output.get("traceback", [])]
        return texts
    return [text]


def hidden_suite_files() -> list[Path]:
    """The files of the hidden grading suite (judgements and probes), whose lines must never ship
    (lines that also appear in the public tests are public)."""
    return sorted(paths.HIDDEN_SUITE_DIR.rglob("*.py"))


def public_test_files() -> list[Path]:
    """The public tests and helpers, shipped in the student template."""
    return sorted(paths.PUBLIC_SUITE_DIR.rglob("*.py"))


def find_leaks(release_dir: Path, source_notebook: Path, extra_files: list[Path] = ()) -> list[str]:
    """Return one line per leak found in any file under ``release_dir``:
    ``"<file>: <what>"``.  An empty list means the release is clean."""
    secrets = secret_lines(source_notebook, extra_files)
    leaks = []
    for path in sorted(Path(release_dir).rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(release_dir)
        for text in _texts_of(path):
            upper = text.upper()
            for marker in MARKERS:
                if marker in upper:
                    leaks.append(f"{name}: contains the marker {marker!r}")
            for line in text.splitlines():
                if line.strip() in secrets:
                    leaks.append(f"{name}: contains the instructor-only line {line.strip()!r}")
    return sorted(set(leaks))
