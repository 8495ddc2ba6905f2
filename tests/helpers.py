"""Small readers the project's tests share: a notebook's error outputs, the release's text."""

from __future__ import annotations

import re
from pathlib import Path

from grader import paths
from grader.notebook import read_notebook


def error_outputs(notebook) -> list[tuple[str, str, str]]:
    """Return (cell id, exception name, message) for every error output."""
    errors = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                errors.append((cell.get("id", "?"), output["ename"], output["evalue"]))
    return errors


def normalised(text: str) -> str:
    """``text`` with every run of whitespace as one space, for finding phrases across line breaks."""
    return re.sub(r"\s+", " ", text).strip()


def release_text(notebook: Path = paths.RELEASE_NOTEBOOK) -> str:
    """Everything a student reads in the release notebook (markdown and code), normalised."""
    return normalised("\n".join(cell.source for cell in read_notebook(notebook).cells))
