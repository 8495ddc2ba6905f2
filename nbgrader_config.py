"""nbgrader configuration for the TinyTorch Module 05 course repository.

The course directory is this folder: source/ (instructor notebooks with the
reference solution), release/ (student versions), submitted/, autograded/.
"""

import os
from pathlib import Path

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

ROOT = Path(__file__).resolve().parent

c.CourseDirectory.course_id = "tinytorch"
c.CourseDirectory.root = str(ROOT)
# The gradebook: gradebook.db here, unless TINYTORCH_GRADEBOOK names another
# file (the demo keeps its own, autograded/demo_gradebook.db, so it never
# touches an instructor's real grades).
GRADEBOOK = Path(os.environ.get("TINYTORCH_GRADEBOOK") or ROOT / "gradebook.db")
c.CourseDirectory.db_url = f"sqlite:///{GRADEBOOK.resolve()}"
# Whitelist: nbgrader converts the notebooks and copies no other file from
# source/ to release/ (or from submitted/ to autograded/).  Notes, solutions or
# data kept beside the source notebook stay private.  nbgrader's `include`
# option only applies to its exchange, so the whitelist is "ignore everything".
c.CourseDirectory.ignore = ["*"]
# nbgrader's HTML feedback and CSV export go beside the grader's outputs, never
# over them (generate_feedback --force empties its folder per student) and never
# at the repository root, where real grades could be committed.
c.CourseDirectory.feedback_directory = "autograded/nbgrader_feedback"
c.CsvExportPlugin.to = str(ROOT / "autograded" / "nbgrader_grades.csv")

# Autograding never runs submission code in a Jupyter kernel: GradeInSandbox
# grades the notebook in the grader's sandbox and writes each test cell's
# points (grader/nbgrader/autograde.py); the rest is nbgrader's own list.
from grader.nbgrader.autograde import AUTOGRADE_PREPROCESSORS  # noqa: E402

c.Autograde.autograde_preprocessors = AUTOGRADE_PREPROCESSORS
c.GradeInSandbox.unsandboxed = os.environ.get("TINYTORCH_UNSANDBOXED") == "1"

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
# Student code must not rely on the kernel living longer than a cell run.
c.ExecutePreprocessor.timeout = 120

# nbgrader's feedback would show the hidden-test blocks of each graded cell;
# this preprocessor removes them first (grader/nbgrader/feedback.py).
c.GenerateFeedback.preprocessors = [
    "grader.nbgrader.feedback.HideHiddenTests",
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
