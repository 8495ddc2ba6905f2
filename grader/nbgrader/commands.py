"""Run nbgrader's own commands on a course directory."""

from __future__ import annotations

import os
import subprocess
import sys
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


def autograde_all(course_root: Path = paths.ROOT, assignment: str = paths.ASSIGNMENT) -> None:
    """``nbgrader autograde`` every submission in submitted/ (students are
    created in the gradebook as needed)."""
    run_nbgrader(["autograde", assignment, "--create", "--force", "--log-level=WARN"], course_root)


def generate_feedback(course_root: Path = paths.ROOT, assignment: str = paths.ASSIGNMENT) -> None:
    """``nbgrader generate_feedback``: HTML feedback per student under
    autograded/nbgrader_feedback/, with hidden tests removed (grader.nbgrader.feedback)."""
    run_nbgrader(["generate_feedback", assignment, "--force", "--log-level=WARN"], course_root)
