"""Read a submitted notebook defensively and say what is wrong with it.

``notebook_cells_and_notices(path)`` returns the library cells to grade, the
notices a student should read (converted format, duplicated, deleted or
retyped cells), and a fatal problem when nothing can be graded (missing,
empty, not UTF-8, not JSON, not a notebook).
"""

from __future__ import annotations

import errno
import functools
import json
import os
import stat
from collections import Counter
from pathlib import Path

from grader import paths
from grader.limits import MAX_NOTEBOOK_BYTES
from grader.notebook import cell_name, grade_id, is_solution, library_cells, nbgrader_metadata


@functools.lru_cache(maxsize=1)
def _release_ids() -> tuple[frozenset, frozenset]:
    """grade_ids of the release's solution cells and graded test cells."""
    notebook = json.loads(paths.RELEASE_NOTEBOOK.read_text(encoding="utf-8"))
    solutions, tests = set(), set()
    for cell in notebook["cells"]:
        if is_solution(cell):
            solutions.add(grade_id(cell))
        elif nbgrader_metadata(cell).get("grade"):
            tests.add(grade_id(cell))
    return frozenset(solutions), frozenset(tests)


def read_regular_file(path: Path, limit: int = MAX_NOTEBOOK_BYTES) -> bytes:
    """The bytes of ``path`` if it is a regular file (not a symbolic link, FIFO
    or device) of at most ``limit`` bytes.

    Raises:
        OSError: with a ``strerror`` that says what is wrong.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise OSError(error.errno, "it is a symbolic link, not the notebook itself") from None
        raise
    with os.fdopen(fd, "rb") as stream:
        status = os.fstat(stream.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise OSError(errno.EINVAL, "it is not a regular file")
        if status.st_size > limit:
            raise OSError(errno.EFBIG, f"it is larger than {limit >> 20} MiB ({status.st_size} bytes)")
        return stream.read(limit + 1)[:limit]


def _parse(path: Path) -> tuple[dict | None, list[str], str | None]:
    """(notebook as v4 JSON, notices, fatal problem)."""
    try:
        raw = read_regular_file(path)
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
    except (ValueError, RecursionError) as error:  # nesting too deep, integers too long
        return None, [], f"the notebook could not be read: {' '.join(str(error).split())[:120]}"
    if not isinstance(notebook, dict) or not ("cells" in notebook or "worksheets" in notebook):
        return None, [], "the notebook could not be read: it is JSON but not a Jupyter notebook"
    notices = []
    version = notebook.get("nbformat", 4)
    if type(version) is not int:
        return None, [], f"the notebook could not be read: its nbformat should be a number, got {type(version).__name__}"
    if version < 4:
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
    """(library cells, notices, fatal problem or None) for the notebook at ``path``.

    Provided library cells (not solution cells) are graded as the release has
    them, as ``nbgrader autograde`` restores them: editing them changes nothing.
    A notebook whose JSON does not have a notebook's shape is fatal, never an
    exception.
    """
    notebook, notices, fatal = _parse(Path(path))
    if fatal:
        return [], [fatal], fatal
    try:
        return _cells_and_notices(notebook, notices)
    except (AttributeError, TypeError, KeyError, ValueError, RecursionError) as error:
        fatal = (f"the notebook could not be read: its JSON does not have the shape of a notebook "
                 f"({type(error).__name__})")
        return [], notices + [fatal], fatal


@functools.lru_cache(maxsize=1)
def _provided_sources() -> dict[str, str]:
    """Source of each provided library cell of the release, by cell name."""
    release = json.loads(paths.RELEASE_NOTEBOOK.read_text(encoding="utf-8"))
    solution = {cell_name(c, i) for i, c in enumerate(release["cells"]) if is_solution(c)}
    return {name: source for name, source in library_cells(release) if name not in solution}


def _cells_and_notices(notebook: dict, notices: list[str]) -> tuple[list[tuple[str, str]], list[str], str | None]:
    cells = notebook.get("cells", [])
    solutions, test_cells = _release_ids()
    seen = Counter()
    for cell in cells if isinstance(cells, list) else []:
        name = grade_id(cell)
        if not name:
            continue
        seen[name] += 1
        if is_solution(cell) and cell.get("cell_type") != "code":
            notices.append(f"the solution cell '{name}' was changed to a {cell.get('cell_type')} cell: "
                           "its code is not graded")
    for name, count in sorted(seen.items()):
        if count > 1:
            notices.append(f"the cell '{name}' appears {count} times (copied cell metadata): every copy "
                           "runs in notebook order, so the last definition wins")
    for name in sorted(solutions - set(seen)):
        notices.append(f"the solution cell '{name}' is missing from the notebook")
    for name in sorted(test_cells - set(seen)):
        notices.append(f"the test cell '{name}' was deleted (this does not change the grade)")
    try:
        library = library_cells(notebook)
    except ValueError as error:
        return [], notices + [str(error)], f"the notebook could not be read: {error}"
    provided = _provided_sources()
    library = [(name, provided.get(name, source)) for name, source in library]
    if not library:
        notices.append("the notebook has no solution cells: nothing to grade")
    return library, notices, None
