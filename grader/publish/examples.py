"""The bundled example submissions in submitted/, built from the release.

    python -m grader examples

The demo grades these three notebooks: a perfect one (the reference code in
every solution cell), the untouched release, and a partly wrong one (two
realistic bugs).  tests/test_examples.py fails when they are out of date.
"""

from __future__ import annotations

import nbformat

from grader import paths
from grader.publish.fill import fill_release, reference_solutions

# The partly wrong example: len() uses floor division and the flip mirrors the height axis.
# grade_id -> [(reference text, the student's text), ...]
PARTLY_WRONG = {
    "dataloader": [("        if self.drop_last:\n            return len(self.dataset) // self.batch_size\n"
                    "        return math.ceil(len(self.dataset) / self.batch_size)",
                    "        return len(self.dataset) // self.batch_size")],
    "random_horizontal_flip": [("np.flip(array, axis=width_axis)", "np.flip(array, axis=width_axis - 1)")],
}


def edited_reference(edits: dict[str, list[tuple[str, str]]]) -> dict[str, str]:
    """grade_id -> the reference solution of that cell with each text replaced.

    Raises:
        ValueError: if a reference text is not in its cell (the reference changed under the example).
    """
    reference = reference_solutions()
    return {grade_id: replace_each(reference[grade_id], substitutions, "example", f"the reference cell {grade_id!r}")
            for grade_id, substitutions in edits.items()}


def replace_each(source: str, substitutions: list[tuple[str, str]], owner: str, cell: str) -> str:
    """``source`` with every occurrence of each old text replaced by its new
    text, in order.  ``owner`` and ``cell`` name the edit in the error.

    Raises:
        ValueError: "{owner}: text not found in {cell}: {old!r}" if an old
            text is not in the source by the time its turn comes.
    """
    for old, new in substitutions:
        if old not in source:
            raise ValueError(f"{owner}: text not found in {cell}: {old!r}")
        source = source.replace(old, new)
    return source


def example_notebooks() -> dict[str, nbformat.NotebookNode]:
    """student id -> notebook, for every bundled example."""
    return {
        "example_perfect": fill_release(),
        "example_untouched": fill_release(reference=False),
        "example_partial": fill_release(edited_reference(PARTLY_WRONG)),
    }


def write_examples() -> list[str]:
    """Write every example under submitted/; return the paths written, relative to the repository."""
    written = []
    for student, notebook in example_notebooks().items():
        path = paths.SUBMITTED_DIR / student / paths.ASSIGNMENT / paths.NOTEBOOK_NAME
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, path)
        written.append(str(path.relative_to(paths.ROOT)))
    return written
