"""Run the judgements of the grading suite and record one result per test.

The judgements are ``grading_suite/public`` (the checks students also get, as
their template's ``tests/``) plus ``grading_suite/hidden`` (never shipped):
plain pytest tests that ask for observations with the ``observe`` fixture and
judge them.  Each carries a part marker (``dataset``, ``tensordataset``,
``dataloader``, ``transforms``) and ``@pytest.mark.points(N)``; its file is
named after the notebook test cell it extends (``test_dataloader_batching.py``
<-> grade_id ``test_dataloader_batching``).

``collect()`` lists the tests with their points; ``run(backend, on_result)``
runs them in this process with ``backend`` answering the probes, and calls
``on_result`` with a ``TestResult`` for each.  This process never runs
submission code: the backend does, elsewhere.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from grader import paths
from grader.limits import MESSAGE_LIMIT
from grader.parts import PARTS

JUDGEMENT_DIRS = (paths.PUBLIC_SUITE_DIR, paths.HIDDEN_SUITE_DIR)
PYTEST_ARGS = ["-p", "no:cacheprovider", "-p", "no:randomly", "-q", "-s",
               "-o", "addopts=", "-o", "console_output_style=classic", "-W", "ignore",
               "--rootdir", str(paths.SUITE_DIR)]


@dataclass(frozen=True)
class TestInfo:
    """A graded test as collected: where it is, its part, points and notebook cell."""

    nodeid: str
    name: str
    part: str
    cell: str
    points: float
    doc: str


@dataclass
class TestResult:
    nodeid: str
    status: str  # passed | failed | error | timeout
    message: str = ""


def _info(item) -> TestInfo:
    parts = [m.name for m in item.iter_markers() if m.name in PARTS]
    points = item.get_closest_marker("points")
    if len(parts) != 1 or points is None:
        raise ValueError(f"graded test {item.nodeid} needs exactly one part marker and a points marker")
    doc = (getattr(item.function, "__doc__", None) or "").strip().splitlines()
    return TestInfo(item.nodeid, item.name, parts[0], Path(item.path).stem,
                    float(points.args[0]), doc[0] if doc else "")


class _Collector:
    def __init__(self):
        self.tests: list[TestInfo] = []

    def pytest_collection_modifyitems(self, items):
        self.tests = [_info(item) for item in items]


def collect(cells: list[str] | None = None) -> list[TestInfo]:
    """List the graded tests (optionally only those of the given notebook cells).

    Raises:
        RuntimeError: if the suite cannot be collected.
    """
    collector = _Collector()
    with contextlib.redirect_stdout(io.StringIO()) as output:
        code = pytest.main([*_targets(cells), "--collect-only", *PYTEST_ARGS], plugins=[collector])
    if code not in (0, 5):
        raise RuntimeError(f"could not collect the grading suite (pytest exit {code}): "
                           f"{output.getvalue()[-2000:]}")
    return collector.tests


def _targets(cells: list[str] | None) -> list[str]:
    directories = [d for d in JUDGEMENT_DIRS if d.is_dir()]
    if not cells:
        return [str(d) for d in directories]
    return [str(d / f"{cell}.py") for cell in cells for d in directories if (d / f"{cell}.py").is_file()]


def short_message(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """One readable line of at most ``limit`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _outcome(excinfo) -> tuple[str, str]:
    """(status, message) of a test that raised."""
    from grading_suite.public.observe import ProbeNotRun

    error = excinfo.value
    if isinstance(error, ProbeNotRun):
        return error.status, str(error)
    if isinstance(error, AssertionError):
        return "failed", str(error) or "a check failed"
    # A judgement that cannot read an observation: the child sent something no
    # correct submission produces (never quote it: it is student-controlled).
    return "error", f"the grading process answered a check with data of an unexpected form ({type(error).__name__})"


class _Recorder:
    """pytest plugin: one TestResult per test, nothing else."""

    def __init__(self, on_result: Callable[[TestResult], None]):
        self.on_result = on_result
        self.failed: dict[str, TestResult] = {}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if call.excinfo is None or report.passed or item.nodeid in self.failed:
            return
        status, message = _outcome(call.excinfo)
        if call.when != "call" and status == "failed":
            status = "error"
        self.failed[item.nodeid] = TestResult(item.nodeid, status, short_message(message))

    def pytest_runtest_logfinish(self, nodeid, location):
        self.on_result(self.failed.pop(nodeid, None) or TestResult(nodeid, "passed"))


def run(backend, on_result: Callable[[TestResult], None], cells: list[str] | None = None,
        draw_key: bytes = b"local") -> int:
    """Run the judgements with ``backend`` answering their probes (see
    ``grading_suite.public.observe.BACKEND``) and their inputs drawn from
    ``draw_key`` (``observe.DRAW_KEY``; default the fixed key of a student's
    own run); return pytest's exit code."""
    from grading_suite.public import observe

    previous = observe.BACKEND, observe.DRAW_KEY
    observe.BACKEND, observe.DRAW_KEY = backend, draw_key
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            return pytest.main([*_targets(cells), *PYTEST_ARGS], plugins=[_Recorder(on_result)])
    finally:
        observe.BACKEND, observe.DRAW_KEY = previous
