"""The ``observe`` and ``draw`` fixtures of the judgements (see ``observe.py``).

In a student's repository this folder is ``tests/``: probes run in the
student's own process on the notebook next to it (``TINYTORCH_NOTEBOOK`` is
set to ``../dataloader.ipynb`` when it exists).  In the grader they run in a
sandboxed child process.
"""

import os
from pathlib import Path

import pytest

from .observe import Observer

PARTS = ("dataset", "tensordataset", "dataloader", "transforms")
_NOTEBOOK_NEXT_TO_TESTS = Path(__file__).resolve().parents[1] / "dataloader.ipynb"
if "TINYTORCH_NOTEBOOK" not in os.environ and _NOTEBOOK_NEXT_TO_TESTS.is_file():
    os.environ["TINYTORCH_NOTEBOOK"] = str(_NOTEBOOK_NEXT_TO_TESTS)


@pytest.fixture
def observe(request):
    """``observe("cell.probe", **arguments)``: run a probe on the code under test, return what it saw."""
    part = next((m.name for m in request.node.iter_markers() if m.name in PARTS), "")
    return Observer(f"{Path(request.node.path).name}::{request.node.name}", part)


@pytest.fixture
def draw(observe):
    """``observe.draw``: the ``random.Random`` this test draws its inputs from (sizes, values, seeds)."""
    return observe.draw
