"""The feedback preprocessor removes hidden-test regions and their traceback quotes."""

import nbformat

from grader.nbgrader.feedback import HideHiddenTests, split_hidden

CELL = '''"""Checks things."""
### BEGIN HIDDEN TESTS
secret_check(42)
### END HIDDEN TESTS
assert visible()'''


def test_split_hidden_keeps_visible_lines():
    kept, hidden = split_hidden(CELL)
    assert kept == '"""Checks things."""\nassert visible()'
    assert "secret_check(42)" in hidden


def test_preprocessor_scrubs_source_and_tracebacks():
    cell = nbformat.v4.new_code_cell(CELL)
    cell.outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue="", traceback=[
        "\x1b[0;31m----> 3\x1b[0m secret_check(\x1b[0;36m42\x1b[0m)\n      4 ### END HIDDEN TESTS\n      5 assert visible()"])]
    notebook = nbformat.v4.new_notebook(cells=[cell])
    HideHiddenTests().preprocess(notebook, {})
    text = nbformat.writes(notebook)
    assert "secret_check" not in text and "HIDDEN" not in text
    assert "assert visible()" in text
