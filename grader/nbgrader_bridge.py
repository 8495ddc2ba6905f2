"""Let ``nbgrader autograde`` score a notebook with the hidden suite.

Each graded test cell of the source notebook starts with a hidden block:

    ### BEGIN HIDDEN TESTS
    from grader.nbgrader_bridge import hidden_score
    hidden_score("test_dataloader_batching", globals())
    ### END HIDDEN TESTS

nbgrader removes the block from the release and puts it back when it
autogrades.  ``hidden_score`` runs that cell's hidden tests against the
notebook's own namespace and publishes the points earned as the cell's first
result, which nbgrader reads as partial credit (its rule: the first output
that is a number is the grade).  The visible checks after the block still run
and show their messages, but they cannot change the grade: one source of truth
for the tests, the hidden suite, and the same points as ``python -m grader grade``.
"""

from __future__ import annotations

import sys


def cell_score(cell_id: str, namespace: dict) -> float:
    """Points earned by ``namespace`` (a notebook's globals) on the hidden
    tests of the test cell ``cell_id``."""
    from grader import student_code, suite

    tests = {test.nodeid: test for test in suite.collect([cell_id])}
    results = []
    submission = student_code.Submission(namespace, label="your notebook", module_name="__main__")
    student_code.set_current(submission)
    try:
        suite.run(results.append, cells=[cell_id], capture="sys")
    finally:
        student_code.set_current(None)
    return float(sum(tests[r.nodeid].points for r in results if r.status == "passed" and r.nodeid in tests))


def hidden_score(cell_id: str, namespace: dict) -> None:
    """Publish the cell's hidden-suite points as an execute_result output."""
    score = cell_score(cell_id, namespace)
    sys.displayhook(score)
