"""Which folders of a class are students, and where each one's notebook is.

Nothing here follows a symbolic link or reads a file: a link (to a folder,
to the instructor's source notebook, to ``/dev/zero``) is found and named, and
the grader reads only regular files (``grader.grading.intake.read_regular_file``).
Every folder is a student, whatever its name (``bob smith``, ``josé``,
``_under``); only hidden names (starting with ``.``, like ``.git``) are not,
and the bundled examples (``example_*``) only when asked for.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader import paths
from grader.limits import MAX_FOLDER_DEPTH, MAX_FOLDER_ENTRIES, MAX_RECORD_BYTES, NOTICE_LIMIT

COLLECT_RECORD = ".submission.json"  # written by ``grader collect`` in each student's folder
EXAMPLE_PREFIX = "example_"  # the bundled example submissions in submitted/
EXPECTED = (f"expected {paths.ASSIGNMENT}/{paths.NOTEBOOK_NAME} or {paths.NOTEBOOK_NAME} "
            "in the submission (or exactly one .ipynb file)")


@dataclass(frozen=True)
class Found:
    """The notebook to grade, or why there is none."""

    path: Path | None
    problem: str | None = None


def is_example(student: str) -> bool:
    return student.startswith(EXAMPLE_PREFIX)


def students_in(submissions: Path, include_examples: bool = True) -> list[str]:
    """The students of ``submissions``: every entry that is a folder or a
    symbolic link (graded 0: links are not followed), sorted; not hidden
    names, and not ``example_*`` unless ``include_examples``."""
    students = []
    with os.scandir(submissions) as entries:
        for entry in entries:
            if entry.name.startswith(".") or not (entry.is_symlink() or entry.is_dir(follow_symlinks=False)):
                continue
            if include_examples or not is_example(entry.name):
                students.append(entry.name)
    return sorted(students)


def _first_link(folder: Path, relative: str) -> str | None:
    """The first component of ``folder/relative`` that is a symbolic link, as a relative path."""
    current = folder
    for index, part in enumerate(PurePosixPath(relative).parts):
        current = current / part
        if current.is_symlink():
            return "/".join(PurePosixPath(relative).parts[: index + 1])
        if not os.path.lexists(current):
            return None
    return None


def find_notebook(student_dir: Path) -> Found:
    """The notebook of one student folder: ``05_dataloader/dataloader.ipynb``
    (nbgrader's layout), else ``dataloader.ipynb`` (a Classroom repository),
    else the only ``.ipynb`` file within MAX_FOLDER_DEPTH folders (checkpoints and
    hidden folders left out).  A path through a link is refused, not followed;
    what the path names (a FIFO, a device, a huge file) is the grader's to check."""
    student_dir = Path(student_dir)
    if student_dir.is_symlink():
        return Found(None, "the student's folder is a symbolic link; links are not followed")
    for relative in (f"{paths.ASSIGNMENT}/{paths.NOTEBOOK_NAME}", paths.NOTEBOOK_NAME):
        link = _first_link(student_dir, relative)
        if link:
            return Found(None, f"{link} is a symbolic link; links are not followed ({EXPECTED})")
        if os.path.lexists(student_dir / relative):
            return Found(student_dir / relative)
    notebooks, complete = _notebooks_below(student_dir)
    if len(notebooks) == 1 and notebooks[0].is_symlink():
        return Found(None, f"{notebooks[0].relative_to(student_dir)} is a symbolic link; links are not followed")
    if len(notebooks) == 1:
        return Found(notebooks[0])
    if not complete:
        return Found(None, f"no notebook found in the first {MAX_FOLDER_ENTRIES} files of the submission ({EXPECTED})")
    if notebooks:
        names = ", ".join(str(p.relative_to(student_dir)) for p in notebooks[:5])
        return Found(None, f"{len(notebooks)} notebooks found ({names}{', ...' if len(notebooks) > 5 else ''}); "
                           f"{EXPECTED}")
    return Found(None, f"no notebook found: {EXPECTED}")


def _notebooks_below(folder: Path) -> tuple[list[Path], bool]:
    """(the .ipynb entries below ``folder``, whether every entry was looked at).
    Breadth first, never into a link, at most MAX_FOLDER_DEPTH deep and MAX_FOLDER_ENTRIES entries."""
    found, seen, level = [], 0, [folder]
    for _depth in range(MAX_FOLDER_DEPTH + 1):
        below = []
        for directory in level:
            try:
                entries = sorted(os.scandir(directory), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                seen += 1
                if seen > MAX_FOLDER_ENTRIES:
                    return sorted(found), False
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    below.append(Path(entry.path))
                elif entry.name.endswith(".ipynb"):
                    found.append(Path(entry.path))
        level = below
    return sorted(found), True


def not_collected(student_dir: Path) -> str | None:
    """Why ``grader collect`` could not collect this student (from its record), or None."""
    from grader.grading.intake import read_regular_file

    try:
        record = json.loads(read_regular_file(Path(student_dir) / COLLECT_RECORD, limit=MAX_RECORD_BYTES))
    except (OSError, ValueError):
        return None
    reason = record.get("not_collected") if isinstance(record, dict) else None
    return " ".join(reason.split())[:NOTICE_LIMIT] if isinstance(reason, str) and reason.strip() else None
