"""Generate the student release with nbgrader.

``python -m grader release`` runs ``nbgrader generate_assignment`` on
``source/05_dataloader`` and writes ``release/05_dataloader``; the result is
then scanned for leaks (``grader.leaks``) and the command fails if any is found.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from grader import paths


def nbgrader_environment() -> dict:
    """The environment for running nbgrader: this interpreter's bin first on PATH
    (nbgrader shells out to ``alembic``), and no IPython start-up files."""
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    env.setdefault("PYTHONHASHSEED", "0")
    return env


def run_nbgrader(arguments: list[str], course_root: Path) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGUMENTS`` in ``course_root`` and return the finished process.

    Raises:
        RuntimeError: if nbgrader exits with an error; the message holds the
            last lines of its output.
    """
    command = [sys.executable, "-m", "nbgrader", *arguments]
    result = subprocess.run(command, cwd=course_root, env=nbgrader_environment(),
                            capture_output=True, text=True)
    if result.returncode != 0:
        output = result.stdout + result.stderr
        if "Cannot add or remove cells" in output:
            raise RuntimeError(
                f"`nbgrader {' '.join(arguments)}` refused: the gradebook already holds submissions for this "
                "assignment, so nbgrader will not let its cells change. If those are only the demo's, "
                "remove gradebook.db (make clean); otherwise keep the cells as they are.")
        tail = "\n".join(output.strip().splitlines()[-15:])
        raise RuntimeError(f"`nbgrader {' '.join(arguments)}` failed (exit {result.returncode}):\n{tail}")
    return result


def generate_release(course_root: Path = paths.ROOT, assignment: str = paths.ASSIGNMENT) -> Path:
    """Regenerate ``release/ASSIGNMENT`` under ``course_root`` from ``source/ASSIGNMENT``
    with nbgrader, then add the GitHub Classroom template files
    (``grader.template``).  The gradebook used is the course's own
    (``gradebook.db``).  Returns the release folder.
    """
    from grader.template import add_template_files

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


def scratch_course() -> tempfile.TemporaryDirectory:
    """A temporary directory to build a throw-away course in."""
    return tempfile.TemporaryDirectory(prefix="tinytorch-course-")
