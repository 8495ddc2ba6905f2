"""Grade a generated class, some of it hostile, and report throughput.

    .venv/bin/python benchmarks/stress.py [--count 500] [--hostile 0.1] [--jobs 2] [--chaos]

Builds COUNT student folders in a temporary folder: correct notebooks, ones
with a realistic bug (from tests/fixtures/submissions/buggy), and a HOSTILE
share cycling through the judge's attack corpus (tests/attack_corpus.py), a
few classic bombs, and folders that break a batch (a FIFO or a link as the
notebook, malformed or deeply nested JSON, a 1100-deep tree, no notebook,
odd folder names).  Grades them with `grader autograde` (the same code as the
demo and the Actions workflow) and prints wall time, submissions per minute,
the grader's peak memory, the slowest submission, and whether every folder
got exactly one row.

``--chaos`` runs the command line instead, kills its whole process group at
three random moments, resumes each time, and checks that the final grades.csv
equals an uninterrupted run's.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader import paths  # noqa: E402
from grader.classroom.autograde import autograde  # noqa: E402
from grader.publish.fill import fill_release, reference_solutions  # noqa: E402
from tests.attack_corpus import ATTACKS  # noqa: E402
from tests.fixture_submissions import all_fixtures  # noqa: E402
from tests.test_attacks import attack_notebook  # noqa: E402
from tests.test_intake import deep_tree, remove_deep_tree  # noqa: E402

HOSTILE = {
    "infinite-loop": ("dataloader", "while True:\n    pass\n"),
    "fork-bomb": ("dataset", "import os\nwhile True:\n    os.fork()\n"),
    "memory-bomb": ("tensordataset", "hoard = [bytearray(1 << 30) for _ in range(64)]\n"),
    "os-exit": ("compose", "import os\nos._exit(0)\n"),
    "output-flood": ("compose", "print('x' * 100_000_000)\n"),
    "kill-parent": ("dataset", "import os\nos.kill(os.getppid(), 9)\n"),
    "forger": ("dataset", "import _pytest.python\n_pytest.python.Function.runtest = lambda self: None\n"),
    "disk-filler": ("dataset", "open('/tmp/fill', 'wb').write(b'x' * (300 << 20))\n"),
}


FAULTS = ("fifo", "link-to-dev-zero", "link-to-source", "nbformat-string", "cell-is-a-string", "deep-json",
          "deep-tree", "no-notebook")
ODD_NAMES = ("bob smith", "josé", "_under", "@mention <b>", "-dash")


def _write_fault(folder: Path, kind: str) -> list[str]:
    """A folder that breaks a batch in the way ``kind`` says; returns deep-tree folders to remove later."""
    folder.mkdir(parents=True)
    notebook = folder / paths.NOTEBOOK_NAME
    good = json.loads(nbformat.writes(fill_release()))
    if kind == "fifo":
        os.mkfifo(notebook)
    elif kind == "link-to-dev-zero":
        os.symlink("/dev/zero", notebook)
    elif kind == "link-to-source":
        os.symlink(paths.SOURCE_NOTEBOOK, notebook)
    elif kind == "nbformat-string":
        notebook.write_text(json.dumps({**good, "nbformat": "4"}))
    elif kind == "cell-is-a-string":
        notebook.write_text(json.dumps({**good, "cells": ["a string"] * 3 + good["cells"][3:]}))
    elif kind == "deep-json":
        notebook.write_text('{"cells": ' + "[" * 100000 + "]" * 100000 + "}")
    elif kind == "deep-tree":
        return deep_tree(folder / "d")
    return []


def make_class(folder: Path, count: int, hostile_share: float, seed: int = 0) -> tuple[dict[str, str], list]:
    """Write COUNT student folders; return (student -> kind, deep trees to remove)."""
    rng = random.Random(seed)
    reference = reference_solutions()
    buggy = all_fixtures("buggy")
    hostile = ([("bomb:" + name, fill_release({cell: prefix + reference[cell]}))
                for name, (cell, prefix) in sorted(HOSTILE.items())]
               + [("attack:" + attack.name, attack_notebook(attack)) for attack in ATTACKS]
               + [("fault:" + kind, None) for kind in FAULTS])
    kinds, trees = {}, []
    for index in range(count):
        student = f"student{index:04d}"
        if index < len(ODD_NAMES):
            student = f"{ODD_NAMES[index]} {index}"
        if index < round(count * hostile_share):
            kind, notebook = hostile[index % len(hostile)]
            if notebook is None:
                trees += _write_fault(folder / student, kind.split(":")[1])
                kinds[student] = kind
                continue
        elif rng.random() < 0.5:
            kind, notebook = "correct", fill_release()
        else:
            fixture = rng.choice(buggy)
            kind, notebook = f"buggy:{fixture.name}", fixture.notebook()
        target = folder / student / paths.ASSIGNMENT / paths.NOTEBOOK_NAME
        target.parent.mkdir(parents=True)
        nbformat.write(notebook, target)
        kinds[student] = kind
    return kinds, trees


def _rows(output: Path) -> list[dict]:
    with open(output / "grades.csv", newline="") as stream:
        return list(csv.DictReader(stream))


def _command(submissions: Path, output: Path, jobs: int) -> list[str]:
    return [sys.executable, "-m", "grader", "autograde", str(submissions), "--output", str(output),
            "--jobs", str(jobs), "--quiet"]


def chaos(submissions: Path, output: Path, jobs: int, count: int, seed: int = 1) -> list[str]:
    """Grade with three kill -9s of the whole process group at random moments
    (after a random number of reports), resuming each time; return the
    kill points as text."""
    rng = random.Random(seed)
    marks = sorted(rng.sample(range(1, count), 3))
    killed = []
    for mark in marks:
        process = subprocess.Popen(_command(submissions, output, jobs), cwd=paths.ROOT, start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while process.poll() is None and len(list((output / "reports").glob("*.json"))) < mark:
            time.sleep(rng.uniform(0.01, 0.2))
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            killed.append(f"after {len(list((output / 'reports').glob('*.json')))} reports")
    subprocess.run(_command(submissions, output, jobs), cwd=paths.ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return killed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--hostile", type=float, default=0.1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--chaos", action="store_true", help="kill -9 three times, resume, compare")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tinytorch-stress-") as scratch:
        submissions, output = Path(scratch) / "submitted", Path(scratch) / "out"
        kinds, trees = make_class(submissions, arguments.count, arguments.hostile)
        try:
            start = time.perf_counter()
            autograde(submissions, output, jobs=arguments.jobs, progress=True)
            wall = time.perf_counter() - start
            rows = _rows(output)
            reports = {r["student"]: r for r in map(json.loads, map(Path.read_text, (output / "reports").glob("*.json")))}
            same = None
            if arguments.chaos:
                chaotic = Path(scratch) / "chaos"
                killed = chaos(submissions, chaotic, arguments.jobs, arguments.count)
                differ = [(a["student"], a["total"], b["total"]) for a, b in zip(rows, _rows(chaotic)) if a != b]
                same = len(_rows(chaotic)) == len(rows) and not differ
        finally:
            remove_deep_tree(trees)
    students = [row["student"] for row in rows]
    complete = sorted(students) == sorted(kinds) and len(set(students)) == len(students)
    by_kind = {}
    for row in rows:
        kind = kinds[row["student"]]
        kind = kind if kind.startswith(("fault:", "bomb:")) else kind.split(":")[0]
        by_kind.setdefault(kind, []).append(float(row["total"]))
    self_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    slowest = max(reports.values(), key=lambda r: r.get("grading_seconds", 0))
    hostile = round(len(kinds) * arguments.hostile)
    print(f"submissions: {len(kinds)} ({hostile} hostile or broken), jobs: {arguments.jobs}")
    print(f"wall time: {wall:.1f} s; {len(kinds) / wall * 60:.0f} submissions per minute")
    print(f"peak memory of the grader (judgements, workers are separate): {self_peak:.0f} MB")
    print(f"slowest submission: {slowest['student']} ({kinds[slowest['student']]}), "
          f"{slowest.get('grading_seconds', 0):.1f} s")
    print(f"every folder has exactly one row: {'yes' if complete else 'NO'} ({len(rows)} rows)")
    for kind, totals in sorted(by_kind.items()):
        print(f"  {kind:28s} n={len(totals):3d}  mean {sum(totals) / len(totals):6.1f}  "
              f"min {min(totals):5.1f}  max {max(totals):5.1f}")
    if same is not None:
        print(f"chaos: killed {', '.join(killed) or 'never (the run ended first)'}; final grades.csv equals the "
              f"uninterrupted run's: {'yes' if same else 'NO'}")
        for student, first, second in differ[:10]:
            print(f"  differs: {student}: {first} uninterrupted, {second} after kills")
    return 0 if complete and same is not False else 1


if __name__ == "__main__":
    sys.exit(main())
