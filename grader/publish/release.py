"""Generate the student release with nbgrader.

``python -m grader release`` runs ``nbgrader generate_assignment`` on
``source/05_dataloader`` and writes ``release/05_dataloader``; the result is
then scanned for leaks (``grader.publish.leaks``) and the command fails if any is found.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from grader import paths
from grader.nbgrader.commands import run_nbgrader


def generate_release(course_root: Path = paths.ROOT, assignment: str = paths.ASSIGNMENT) -> Path:
    """Regenerate ``release/ASSIGNMENT`` under ``course_root`` from ``source/ASSIGNMENT``
    with nbgrader, then add the GitHub Classroom template files
    (``grader.publish.template``).  The gradebook used is the course's own
    (``gradebook.db``).  Returns the release folder.
    """
    from grader.publish.template import add_template_files

    release_dir = Path(course_root) / "release" / assignment
    if release_dir.exists():
        shutil.rmtree(release_dir)  # nothing stale survives a regeneration
    run_nbgrader(["generate_assignment", assignment, "--force", "--log-level=WARN"], course_root)
    add_template_files(release_dir)
    return release_dir


def generate_release_copy(destination: Path) -> Path:
    """Generate a release from a copy of this course's source and config in
    ``destination`` (used to compare with the committed release); return the
    release folder.  The committed files are left untouched."""
    destination = Path(destination)
    shutil.copytree(paths.SOURCE_DIR, destination / "source" / paths.ASSIGNMENT)
    shutil.copy2(paths.ROOT / "nbgrader_config.py", destination / "nbgrader_config.py")
    return generate_release(destination)
