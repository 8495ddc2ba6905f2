"""Fixtures of the test suite (the public checks here and the hidden grading cases).

Tests never import student names at module level: they ask for them as
fixtures (``def test_x(DataLoader): ...``), so a missing or broken class fails
only the tests that use it.  The code under test is the submission loaded by
the grader; else the notebook named by ``TINYTORCH_NOTEBOOK``, which is set
below to the ``dataloader.ipynb`` next to the tests folder when there is one
(the student's notebook, in the student repository); else the exported
reference library (a plain ``pytest`` run in the instructor repository).

This file is shipped to students: it imports only its own package's modules,
numpy, pytest and ``tinytorch.core.tensor``.  The code-under-test helpers come
from ``tests/notebook_code.py`` where it exists (the student template ships it,
a copy of ``grader/student_code.py``), else from ``grader.student_code``.
"""

import os
import random
import zlib
from pathlib import Path

import numpy as np
import pytest

if (Path(__file__).resolve().parent / "notebook_code.py").is_file():  # the student template
    from .notebook_code import MissingName, current
else:  # the instructor repository and the grader
    from grader.student_code import MissingName, current

NOTEBOOK_NAME = "dataloader.ipynb"
_NOTEBOOK_NEXT_TO_TESTS = Path(__file__).resolve().parents[1] / NOTEBOOK_NAME
if "TINYTORCH_NOTEBOOK" not in os.environ and _NOTEBOOK_NEXT_TO_TESTS.is_file():
    os.environ["TINYTORCH_NOTEBOOK"] = str(_NOTEBOOK_NEXT_TO_TESTS)

STUDENT_NAMES = ("Dataset", "TensorDataset", "DataLoader", "RandomHorizontalFlip", "RandomCrop", "Compose")


@pytest.fixture
def submission():
    return current()


def _student_fixture(name):
    @pytest.fixture(name=name)
    def fixture(submission):
        try:
            return submission.require(name)
        except MissingName as missing:
            pytest.fail(str(missing), pytrace=False)

    return fixture


for _name in STUDENT_NAMES:
    globals()[f"_fixture_{_name}"] = _student_fixture(_name)


@pytest.fixture(autouse=True)
def seeded_global_random_state(request):
    """Seed Python's and NumPy's global random state per test (from the test
    name), so implementations that draw from global state are reproducible."""
    seed = zlib.crc32(request.node.nodeid.encode())
    random.seed(seed)
    np.random.seed(seed)
    yield


@pytest.fixture
def make_dataset(submission):
    """Build a map-style dataset from arrays that does not depend on the
    student's TensorDataset: ``make_dataset(x, y)[i] == (Tensor(x[i]), Tensor(y[i]))``.

    It subclasses the student's ``Dataset`` when that is a usable class, so a
    DataLoader that insists on a Dataset still accepts it.  It counts fetches
    in ``.fetched``.
    """
    from .support import make_array_dataset

    try:
        base = submission.require("Dataset")
        if not isinstance(base, type):
            base = object
    except MissingName:
        base = object

    def build(*arrays):
        return make_array_dataset(base, *arrays)

    return build


# What ``from .fixtures import *`` gives a conftest: every fixture, including
# the per-name student fixtures, whose names start with an underscore.
__all__ = ["submission", "seeded_global_random_state", "make_dataset",
           *(f"_fixture_{name}" for name in STUDENT_NAMES)]
