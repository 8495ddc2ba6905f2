"""The grading child process: load a submission's cells, run the grading suite,
stream one JSON line per test result.

    python -m grader.child CELLS.json RESULTS.jsonl [--uid UID]

CELLS.json is a list of ``[cell_id, source]`` pairs.  The parent process
(``grader.grade``) owns the points and the report; this process only says
which tests passed, so a crash or a timeout here loses only the tests that
had not finished.  With ``--uid`` (the grader runs as root) the process drops
to that unprivileged user before any submission code runs.  Submission code
then runs in a forked grandchild, so that ``os.kill(os.getppid(), ...)``
reaches only this wrapper, never the grader.
"""

from __future__ import annotations

import argparse
import importlib.abc
import json
import os
import signal
import sys

BLOCKED_MODULES = ("tinytorch.core.dataloader",)


class _BlockReference(importlib.abc.MetaPathFinder):
    """Refuse to import the reference solution inside a graded submission."""

    def find_spec(self, fullname, path, target=None):
        if fullname in BLOCKED_MODULES:
            raise ImportError(f"{fullname} is not available while grading: "
                              "the graded code must be the notebook's own")
        return None


def _drop_privileges(uid: int | None) -> None:
    if uid is None:
        return
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)


def _grade(cells_path: str, results_path: str) -> None:
    from grader import student_code, suite

    sys.meta_path.insert(0, _BlockReference())
    for name in BLOCKED_MODULES:
        sys.modules.pop(name, None)
    with open(cells_path, encoding="utf-8") as stream:
        cells = [tuple(pair) for pair in json.load(stream)]
    results = open(results_path, "a", encoding="utf-8")

    def record(result):
        results.write(json.dumps(suite.result_to_json(result)) + "\n")
        results.flush()

    submission = student_code.load_cells(cells)
    student_code.set_current(submission)
    suite.run(record)
    record(suite.TestResult("::done::", "passed"))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.child")
    parser.add_argument("cells")
    parser.add_argument("results")
    parser.add_argument("--uid", type=int)
    arguments = parser.parse_args(argv)
    # Import what grading needs before dropping privileges (the interpreter's
    # files may sit in a home directory the sandbox user cannot traverse).
    import numpy  # noqa: F401
    import pytest  # noqa: F401

    from grader import student_code, suite  # noqa: F401
    import tinytorch.core.tensor  # noqa: F401

    _drop_privileges(arguments.uid)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-large write fails instead of killing us
    pid = os.fork()
    if pid == 0:
        try:
            _grade(arguments.cells, arguments.results)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
