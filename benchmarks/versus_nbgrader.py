"""Grading speed: `grader autograde --jobs N` against `nbgrader autograde` run serially.

    .venv/bin/python benchmarks/versus_nbgrader.py [--count 20] [--jobs 2]

Builds a throw-away course (release generated, COUNT submissions, half correct,
half with one realistic bug), grades it both ways, and prints the wall times
and their ratio.  In this course `nbgrader autograde` runs no notebook cell: its
GradeInSandbox preprocessor grades each notebook with our grader, one at a time
(nbgrader_config.py), so the ratio is what `--jobs` and skipping nbgrader's
bookkeeping buy.  A submission that nbgrader cannot grade makes it exit with an
error after grading the others; the script times the whole run anyway and names
those submissions.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader import paths  # noqa: E402
from grader.classroom.autograde import autograde  # noqa: E402
from grader.nbgrader.commands import autograde_all  # noqa: E402
from grader.publish.fill import fill_release  # noqa: E402
from grader.publish.release import generate_release_copy  # noqa: E402
from tests.fixture_submissions import all_fixtures  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--ours-only", action="store_true", help="time only `grader autograde`")
    arguments = parser.parse_args()
    rng = random.Random(0)
    buggy = all_fixtures("buggy")
    with tempfile.TemporaryDirectory(prefix="tinytorch-versus-") as scratch:
        course = Path(scratch) / "course"
        course.mkdir()
        generate_release_copy(course)
        for index in range(arguments.count):
            notebook = fill_release() if index % 2 == 0 else rng.choice(buggy).notebook()
            target = course / "submitted" / f"student{index:03d}" / paths.ASSIGNMENT / paths.NOTEBOOK_NAME
            target.parent.mkdir(parents=True)
            nbformat.write(notebook, target)
        start = time.perf_counter()
        autograde(course / "submitted", Path(scratch) / "ours", jobs=arguments.jobs, progress=False)
        ours = time.perf_counter() - start
        print(f"{arguments.count} submissions")
        print(f"grader autograde --jobs {arguments.jobs}: {ours:7.1f} s ({arguments.count / ours * 60:6.1f} per minute)",
              flush=True)
        if arguments.ours_only:
            return 0
        start = time.perf_counter()
        try:
            autograde_all(course)
        except RuntimeError:
            pass  # nbgrader exits 1 when it could not grade some students; they are counted below
        theirs = time.perf_counter() - start
        ungraded = sorted(student.name for student in (course / "submitted").iterdir()
                          if not (course / "autograded" / student.name / paths.ASSIGNMENT / paths.NOTEBOOK_NAME).is_file())
        shutil.rmtree(course / "autograded", ignore_errors=True)
    print(f"nbgrader autograde (serial): {theirs:7.1f} s ({arguments.count / theirs * 60:6.1f} per minute)"
          + (f"; it could not grade {len(ungraded)}: {', '.join(ungraded)}" if ungraded else ""))
    print(f"speed-up: {theirs / ours:.1f}x (target >= 3x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
