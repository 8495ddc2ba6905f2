"""Grade many generated submissions, some hostile, and report throughput.

    .venv/bin/python benchmarks/stress.py [--count 200] [--hostile 0.1] [--jobs 2]

Builds COUNT notebooks in a temporary folder: correct ones, ones with a
realistic bug (from tests/fixtures/submissions/buggy), and a HOSTILE share that
loop forever, fork, hoard memory, exit, flood output or forge results.  Grades
them with `grader autograde` (the same code as the demo and the Actions
workflow) and prints wall time, submissions per minute, peak memory, and
whether every submission got exactly one grade.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader import paths  # noqa: E402
from grader.autograde import autograde  # noqa: E402
from grader.submission import fill_release, reference_solutions  # noqa: E402
from tests.fixture_submissions import all_fixtures  # noqa: E402

HOSTILE = {
    "infinite-loop": ("dataloader", "while True:\n    pass\n"),
    "fork-bomb": ("dataset", "import os\nwhile True:\n    os.fork()\n"),
    "memory-bomb": ("tensordataset", "hoard = [bytearray(1 << 30) for _ in range(64)]\n"),
    "os-exit": ("compose", "import os\nos._exit(0)\n"),
    "output-flood": ("compose", "print('x' * 100_000_000)\n"),
    "kill-parent": ("dataset", "import os\nos.kill(os.getppid(), 9)\n"),
    "forger": ("dataset", "import _pytest.python\n_pytest.python.Function.runtest = lambda self: None\n"),
}


def make_class(folder: Path, count: int, hostile_share: float, seed: int = 0) -> dict[str, str]:
    """Write COUNT submissions; return student -> kind."""
    rng = random.Random(seed)
    reference = reference_solutions()
    buggy = all_fixtures("buggy")
    kinds = {}
    hostile_names = sorted(HOSTILE)
    for index in range(count):
        student = f"student{index:04d}"
        if index < round(count * hostile_share):
            kind = hostile_names[index % len(hostile_names)]
            cell, prefix = HOSTILE[kind]
            notebook = fill_release({cell: prefix + reference[cell]})
        elif rng.random() < 0.5:
            kind = "correct"
            notebook = fill_release()
        else:
            fixture = rng.choice(buggy)
            kind = f"buggy:{fixture.name}"
            notebook = fixture.notebook()
        target = folder / student / paths.ASSIGNMENT / paths.NOTEBOOK_NAME
        target.parent.mkdir(parents=True)
        nbformat.write(notebook, target)
        kinds[student] = kind
    return kinds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--hostile", type=float, default=0.1)
    parser.add_argument("--jobs", type=int, default=2)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tinytorch-stress-") as scratch:
        submissions, output = Path(scratch) / "submitted", Path(scratch) / "out"
        kinds = make_class(submissions, arguments.count, arguments.hostile)
        start = time.perf_counter()
        autograde(submissions, output, jobs=arguments.jobs, progress=True)
        wall = time.perf_counter() - start
        with open(output / "grades.csv", newline="") as stream:
            rows = list(csv.DictReader(stream))
    students = [row["student"] for row in rows]
    complete = sorted(students) == sorted(kinds) and len(set(students)) == len(students)
    by_kind = {}
    for row in rows:
        kind = kinds[row["student"]].split(":")[0]
        by_kind.setdefault(kind, []).append(float(row["total"]))
    self_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"submissions: {len(kinds)} ({round(len(kinds) * arguments.hostile)} hostile), jobs: {arguments.jobs}")
    print(f"wall time: {wall:.1f} s; {len(kinds) / wall * 60:.0f} submissions per minute")
    print(f"peak memory: grader {self_peak:.0f} MB, largest grading child {child_peak:.0f} MB")
    print(f"every submission graded exactly once: {'yes' if complete else 'NO'} ({len(rows)} rows)")
    for kind, totals in sorted(by_kind.items()):
        print(f"  {kind:14s} n={len(totals):3d}  mean {sum(totals) / len(totals):6.1f}  "
              f"min {min(totals):5.1f}  max {max(totals):5.1f}")
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
