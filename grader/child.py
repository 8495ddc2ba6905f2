"""The grading child process: load a submission's cells, run the hidden suite,
stream one JSON line per test result.

    python -m grader.child CELLS.json RESULTS.jsonl

CELLS.json is a list of ``[cell_id, source]`` pairs.  The parent process
(``grader.grade``) owns the points and the report; this process only says
which tests passed, so a crash or a timeout here loses only the tests that
had not finished.
"""

from __future__ import annotations

import importlib.abc
import json
import sys

BLOCKED_MODULES = ("tinytorch.core.dataloader",)


class _BlockReference(importlib.abc.MetaPathFinder):
    """Refuse to import the reference solution inside a graded submission."""

    def find_spec(self, fullname, path, target=None):
        if fullname in BLOCKED_MODULES:
            raise ImportError(f"{fullname} is not available while grading: "
                              "the graded code must be the notebook's own")
        return None


def main(argv: list[str]) -> int:
    cells_path, results_path = argv
    from grader import student_code, suite

    sys.meta_path.insert(0, _BlockReference())
    for name in BLOCKED_MODULES:
        sys.modules.pop(name, None)
    with open(cells_path, encoding="utf-8") as stream:
        cells = [tuple(pair) for pair in json.load(stream)]
    with open(results_path, "a", encoding="utf-8") as results:
        def record(result):
            results.write(json.dumps(suite.result_to_json(result)) + "\n")
            results.flush()

        submission = student_code.load_cells(cells)
        student_code.set_current(submission)
        suite.run(record)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
