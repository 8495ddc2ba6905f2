"""The one cell model (grader/notebook.py), the one command table (grader/cli.py), the one place for limits."""

import re
import subprocess
import sys

import pytest

from grader import paths
from grader.cli import COMMANDS
from grader.notebook import cell_lines, read_notebook, solution_code, strip_solution_markers
from tinytorch.export import strip_solution_markers as export_strip

MALFORMED = {
    "nested": ("### BEGIN SOLUTION\nx = 1\n### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS\n### END SOLUTION",
               "line 3: '### BEGIN HIDDEN TESTS' inside the solution region opened at line 1"),
    "unterminated": ("y = 2\n### BEGIN HIDDEN TESTS\ncheck()", "line 2: the hidden region opened here is never closed"),
    "stray end": ("z = 3\n### END SOLUTION", "line 2: '### END SOLUTION' closes no open solution region"),
    "crossed": ("### BEGIN SOLUTION\n### END HIDDEN TESTS",
                "closes no open hidden region (the solution region opened at line 1 is open)"),
}


@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_regions_are_refused_with_their_line(name):
    source, message = MALFORMED[name]
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        cell_lines(source)


def test_regions_and_solution_lines():
    source = "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n### BEGIN HIDDEN TESTS\nsecret()\n### END HIDDEN TESTS"
    regions = [(line.number, line.region, line.marker) for line in cell_lines(source)]
    assert regions == [(1, None, False), (2, "solution", True), (3, "solution", False), (4, "solution", True),
                       (5, "hidden", True), (6, "hidden", False), (7, "hidden", True)]
    code = solution_code(source)
    assert code.text.splitlines()[:2] == ["def f():", "    return 1"]
    assert code.solution_lines == {2} and code.cell_line[2] == 3
    assert solution_code("x = 1").solution_lines == {1}  # no markers: the whole cell is the student's


def test_every_source_cell_is_well_formed_and_exports_as_the_student_tool_does():
    for cell in read_notebook(paths.SOURCE_NOTEBOOK).cells:
        assert strip_solution_markers(cell.source) == export_strip(cell.source)


def test_help_lists_every_registered_command():
    expected = {"release", "export", "examples", "rules", "grade", "demo", "collect", "autograde", "shards",
                "merge", "post-feedback"}
    assert set(COMMANDS) == expected
    result = subprocess.run([sys.executable, "-m", "grader", "--help"], capture_output=True, text=True, check=True)
    listed = {match.group(1) for match in re.finditer(r"^ {4}(\S+)", result.stdout, re.M)}
    assert listed == expected


def test_the_student_templates_cell_limit_is_the_graders():
    """student_code.py ships alone (as the template's tests/notebook_code.py), so it keeps its own copy."""
    from grader import limits
    from grader.grading import student_code

    assert student_code.CELL_TIMEOUT_SECONDS == limits.CELL_SECONDS
