"""Keep hidden tests out of ``nbgrader generate_feedback``.

nbgrader's feedback shows each autograded cell with the source it was graded
with, hidden-test blocks included (nbgrader issues #917 and #1363).
``HideHiddenTests`` runs first in ``GenerateFeedback.preprocessors`` (see
nbgrader_config.py): it removes every ``### BEGIN HIDDEN TESTS`` ...
``### END HIDDEN TESTS`` region from the cells, and every traceback line that
quotes a line of such a region.  A cell whose regions are malformed (only a
student's edit can make one) is shown as a one-line note instead of its source.
"""

from __future__ import annotations

import re

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from grader.notebook import BEGIN_HIDDEN, cell_lines

ANSI = re.compile(r"\x1b\[[0-9;]*m")
MALFORMED = "# (this cell's hidden-test markers are malformed: its source is not shown)"


def split_hidden(source: str) -> tuple[str, list[str]]:
    """Return (source without hidden regions, the stripped lines that were
    hidden, markers included).

    Raises:
        ValueError: if the cell's regions are malformed (``grader.notebook.cell_lines``).
    """
    lines = cell_lines(source)
    kept = [line.text for line in lines if line.region != "hidden"]
    hidden = [line.text.strip() for line in lines if line.region == "hidden" and line.text.strip()]
    return "\n".join(kept), hidden


def scrub_traceback(lines: list[str], hidden: list[str]) -> list[str]:
    """Drop each traceback line that quotes a hidden line (colour codes ignored)."""
    result = []
    for entry in lines:
        plain = ANSI.sub("", entry).splitlines()
        coloured = entry.splitlines()
        keep = [c for c, p in zip(coloured, plain) if not any(h in p for h in hidden)]
        result.append("\n".join(keep))
    return result


class HideHiddenTests(Preprocessor):
    """Remove hidden-test regions (and traceback quotes of them) from every cell."""

    enabled = Bool(True)  # nbconvert preprocessors are off unless enabled

    def preprocess_cell(self, cell, resources, index):
        if BEGIN_HIDDEN not in cell.get("source", ""):
            return cell, resources
        try:
            cell.source, hidden = split_hidden(cell.source)
        except ValueError:  # a student's cell can hold anything: show none of it
            hidden = [line.strip() for line in cell.source.splitlines() if line.strip()]
            cell.source = MALFORMED
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = scrub_traceback(output.get("traceback", []), hidden)
        return cell, resources
