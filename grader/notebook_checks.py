"""Read a submitted notebook defensively and say what is wrong with it.

``notebook_cells_and_notices(path)`` returns the library cells to grade, the
notices a student should read (converted format, duplicated, deleted or
retyped cells), and a fatal problem when nothing can be graded (missing,
empty, not UTF-8, not JSON, not a notebook).
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from pathlib import Path

from grader import paths
from tinytorch.export import library_cells


@functools.lru_cache(maxsize=1)
def _release_ids() -> tuple[frozenset, frozenset]:
    """grade_ids of the release's solution cells and graded test cells."""
    notebook = json.loads(paths.RELEASE_NOTEBOOK.read_text(encoding="utf-8"))
    solutions, tests = set(), set()
    for cell in notebook["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            solutions.add(meta["grade_id"])
        elif meta.get("grade"):
            tests.add(meta["grade_id"])
    return frozenset(solutions), frozenset(tests)


def _parse(path: Path) -> tuple[dict | None, list[str], str | None]:
    """(notebook as v4 JSON, notices, fatal problem)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [], f"the notebook could not be read: {path.name} does not exist"
    except OSError as error:
        return None, [], f"the notebook could not be read: {error.strerror}"
    if not raw.strip():
        return None, [], "the notebook could not be read: the file is empty"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, [], f"the notebook could not be read: it is not UTF-8 text (byte {error.start})"
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError as error:
        return None, [], f"the notebook could not be read: it is not valid JSON (line {error.lineno}: {error.msg})"
    if not isinstance(notebook, dict) or not ("cells" in notebook or "worksheets" in notebook):
        return None, [], "the notebook could not be read: it is JSON but not a Jupyter notebook"
    notices = []
    if notebook.get("nbformat", 4) < 4:
        import nbformat

        try:
            converted = nbformat.reads(text, as_version=4)
        except Exception as error:  # noqa: BLE001 - nbformat raises many types
            return None, [], f"the notebook could not be read: nbformat {notebook.get('nbformat')}: {error}"
        old_version = notebook.get("nbformat")
        notebook = json.loads(nbformat.writes(converted))
        notices.append(f"the notebook was in nbformat {old_version}; it was converted to nbformat 4")
    return notebook, notices, None


def notebook_cells_and_notices(path: Path) -> tuple[list[tuple[str, str]], list[str], str | None]:
    """(library cells, notices, fatal problem or None) for the notebook at ``path``."""
    notebook, notices, fatal = _parse(Path(path))
    if fatal:
        return [], [fatal], fatal
    cells = notebook.get("cells", [])
    solutions, test_cells = _release_ids()
    seen = Counter()
    for cell in cells if isinstance(cells, list) else []:
        meta = (cell.get("metadata") or {}).get("nbgrader") or {} if isinstance(cell, dict) else {}
        grade_id = meta.get("grade_id")
        if not grade_id:
            continue
        seen[grade_id] += 1
        if meta.get("solution") and cell.get("cell_type") != "code":
            notices.append(f"the solution cell '{grade_id}' was changed to a {cell.get('cell_type')} cell: "
                           "its code is not graded")
    for grade_id, count in sorted(seen.items()):
        if count > 1:
            notices.append(f"the cell '{grade_id}' appears {count} times (copied cell metadata): every copy "
                           "runs in notebook order, so the last definition wins")
    for grade_id in sorted(solutions - set(seen)):
        notices.append(f"the solution cell '{grade_id}' is missing from the notebook")
    for grade_id in sorted(test_cells - set(seen)):
        notices.append(f"the test cell '{grade_id}' was deleted (this does not change the grade)")
    try:
        library = library_cells(notebook)
    except ValueError as error:
        return [], notices + [str(error)], f"the notebook could not be read: {error}"
    if not library:
        notices.append("the notebook has no solution cells: nothing to grade")
    return library, notices, None
