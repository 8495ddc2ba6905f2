"""Regenerate the bundled example submissions in submitted/ from the release.

    python -m tests.make_examples

The demo grades these three notebooks: a perfect one (the reference code in
every solution cell), the untouched release, and a partly wrong one (two
realistic bugs).  tests/test_examples.py fails when they are out of date.
"""

from __future__ import annotations

import nbformat

from grader import paths
from grader.submission import fill_release
from tests.fixture_submissions import FixtureSubmission

PARTLY_WRONG = FixtureSubmission(
    name="example_partial",
    description="len() uses floor division and the flip mirrors the height axis",
    breaks=["dataloader", "transforms"],
    replace={
        "dataloader": [("        if self.drop_last:\n            return len(self.dataset) // self.batch_size\n"
                        "        return math.ceil(len(self.dataset) / self.batch_size)",
                        "        return len(self.dataset) // self.batch_size")],
        "random_horizontal_flip": [("np.flip(array, axis=width_axis)", "np.flip(array, axis=width_axis - 1)")],
    },
    cells={},
)


def example_notebooks() -> dict[str, nbformat.NotebookNode]:
    """student id -> notebook, for every bundled example."""
    return {
        "example_perfect": fill_release(),
        "example_untouched": fill_release(reference=False),
        "example_partial": PARTLY_WRONG.notebook(),
    }


def main() -> None:
    for student, notebook in example_notebooks().items():
        path = paths.SUBMITTED_DIR / student / paths.ASSIGNMENT / paths.NOTEBOOK_NAME
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, path)
        print(f"wrote {path.relative_to(paths.ROOT)}")


if __name__ == "__main__":
    main()
