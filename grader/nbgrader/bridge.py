"""Show a test cell's hidden points when the instructor runs the source notebook.

Each graded test cell of the source notebook starts with a hidden block:

    ### BEGIN HIDDEN TESTS
    from grader.nbgrader.bridge import hidden_score
    hidden_score("test_dataloader_batching", globals())
    ### END HIDDEN TESTS

nbgrader removes the block from the release.  In the instructor's own kernel
(the source notebook, the reference solution: trusted code) ``hidden_score``
runs that cell's judgements with their probes in the same process and shows
the points as the cell's first result.  Submissions are never graded this
way: ``nbgrader autograde`` in this course runs no notebook cell at all and
takes the points from the sandboxed grader (``grader.nbgrader.autograde``).
"""

from __future__ import annotations

import sys


def cell_score(cell_id: str, namespace: dict) -> float:
    """Points earned by ``namespace`` (a notebook's globals) on the tests of
    the test cell ``cell_id``, with probes run in this process."""
    from grader.grading import student_code, suite

    tests = {test.nodeid: test for test in suite.collect([cell_id])}
    results = []
    student_code.set_current(student_code.Submission(namespace, label="your notebook", module_name="__main__"))
    try:
        suite.run(None, results.append, cells=[cell_id])
    finally:
        student_code.set_current(None)
    return float(sum(tests[r.nodeid].points for r in results if r.status == "passed" and r.nodeid in tests))


def hidden_score(cell_id: str, namespace: dict) -> None:
    """Publish the cell's points as an execute_result output."""
    sys.displayhook(cell_score(cell_id, namespace))
