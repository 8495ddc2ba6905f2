"""Where things live in the course repository."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "05_dataloader"
NOTEBOOK_NAME = "dataloader.ipynb"
SOURCE_DIR = ROOT / "source" / ASSIGNMENT
SOURCE_NOTEBOOK = SOURCE_DIR / NOTEBOOK_NAME
RELEASE_DIR = ROOT / "release" / ASSIGNMENT
RELEASE_NOTEBOOK = RELEASE_DIR / NOTEBOOK_NAME
SUBMITTED_DIR = ROOT / "submitted"
AUTOGRADED_DIR = ROOT / "autograded"
FIGURES_DIR = AUTOGRADED_DIR / "figures"
LIBRARY_MODULE = ROOT / "tinytorch" / "core" / "dataloader.py"
SUITE_DIR = ROOT / "grading_suite"
PUBLIC_SUITE_DIR = SUITE_DIR / "public"  # ships to students as their tests/
HIDDEN_SUITE_DIR = SUITE_DIR / "hidden"  # never leaves the grader
RULES_DIR = SUITE_DIR / "rules"
