"""Run the grading suite and record one result per test.

The grading suite is ``tests/public`` (the checks students also get, in their
template's ``tests/``) plus ``tests/grading`` (the hidden cases, never
shipped).  It is plain pytest.  Each test carries a part marker (``dataset``,
``tensordataset``, ``dataloader``, ``transforms``) and ``@pytest.mark.points(N)``;
its file is named after the notebook test cell it extends
(``test_dataloader_batching.py`` <-> grade_id ``test_dataloader_batching``).

``collect()`` lists the tests with their points without running student
code; ``run()`` runs them against the current submission and calls
``on_result`` with a ``TestResult`` for each.
"""

from __future__ import annotations

import contextlib
import io
import signal
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import pytest

from grader import paths
from grader.parts import PARTS

TESTS_DIR = paths.ROOT / "tests"
SUITE_DIRS = (TESTS_DIR / "public", TESTS_DIR / "grading")
TEST_TIMEOUT_SECONDS = 10          # per test, generous: the reference needs < 0.1 s
TIMEOUT_AFTER_A_TIMEOUT = 3        # per test, once a submission has timed out
TIMEOUTS_BEFORE_GIVING_UP = 3      # timeouts in one part before its other tests are not run
MESSAGE_LIMIT = 600
PYTEST_ARGS = ["-p", "no:cacheprovider", "-p", "no:randomly", "--assert=plain", "-q",
               "-o", "addopts=", "-o", "console_output_style=classic", "-W", "ignore",
               "--rootdir", str(TESTS_DIR)]


@dataclass(frozen=True)
class TestInfo:
    """A hidden test as collected: where it is, its part, points and notebook cell."""

    nodeid: str
    name: str
    part: str
    cell: str
    points: float
    doc: str
    canary: str = ""  # "pass" or "fail" for canaries (no part, no points)


@dataclass
class TestResult:
    nodeid: str
    status: str  # passed | failed | error | timeout
    message: str = ""


class GradingTimeout(BaseException):
    """Raised inside a test that ran past its time limit (a BaseException so
    that student code catching ``Exception`` cannot swallow it)."""


def _info(item) -> TestInfo:
    canary = item.get_closest_marker("canary")
    if canary is not None:
        return TestInfo(item.nodeid, item.name, "", Path(item.path).stem, 0.0, "", canary=str(canary.args[0]))
    parts = [m.name for m in item.iter_markers() if m.name in PARTS]
    points = item.get_closest_marker("points")
    if len(parts) != 1 or points is None:
        raise ValueError(f"hidden test {item.nodeid} needs exactly one part marker and a points marker")
    doc = (getattr(item.function, "__doc__", None) or "").strip().splitlines()
    return TestInfo(item.nodeid, item.name, parts[0], Path(item.path).stem,
                    float(points.args[0]), doc[0] if doc else "")


class _Collector:
    def __init__(self):
        self.tests: list[TestInfo] = []

    def pytest_collection_modifyitems(self, items):
        self.tests = [_info(item) for item in items]


def collect(cells: list[str] | None = None) -> list[TestInfo]:
    """List the hidden tests (optionally only those of the given notebook cells).

    Raises:
        RuntimeError: if the suite cannot be collected.
    """
    collector = _Collector()
    with contextlib.redirect_stdout(io.StringIO()) as output:
        code = pytest.main([*_targets(cells), "--collect-only", *PYTEST_ARGS], plugins=[collector])
    if code not in (0, 5):
        raise RuntimeError(f"could not collect the hidden suite (pytest exit {code}): "
                           f"{output.getvalue()[-2000:]}")
    return collector.tests


def _targets(cells: list[str] | None) -> list[str]:
    directories = [d for d in SUITE_DIRS if d.is_dir()]
    if not cells:
        return [str(d) for d in directories]
    return [str(d / f"{cell}.py") for cell in cells for d in directories if (d / f"{cell}.py").is_file()]


def short_message(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """One readable line of at most ``limit`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _message_for(excinfo) -> str:
    from grader.student_code import MissingName, describe_exception

    error = excinfo.value
    if isinstance(error, GradingTimeout):
        return str(error)
    if isinstance(error, MissingName):
        return str(error)
    if isinstance(error, AssertionError) or excinfo.typename in ("Failed", "Skipped"):
        text = str(getattr(error, "msg", None) or error)
        return text or "a check failed"
    if isinstance(error, NotImplementedError) and not str(error):
        from grader.student_code import student_location

        where = student_location(excinfo.tb)
        return f"not implemented yet: the stub still raises NotImplementedError ({where or 'your code'})"
    return "your code raised " + describe_exception(error)


class _Recorder:
    """pytest plugin: per-test time limit, results, and no student output."""

    def __init__(self, on_result: Callable[[TestResult], None], timeout: float):
        self.on_result = on_result
        self.timeout = timeout
        self.failed: dict[str, TestResult] = {}
        self.timeouts: dict[str, int] = {}  # part -> tests of that part that timed out

    @staticmethod
    def _part(item) -> str:
        return next((m.name for m in item.iter_markers() if m.name in PARTS), "")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        part = self._part(item)
        if self.timeouts.get(part, 0) >= TIMEOUTS_BEFORE_GIVING_UP:
            raise GradingTimeout(f"not run: {TIMEOUTS_BEFORE_GIVING_UP} earlier tests of the {part} part "
                                 "timed out")
        limit = TIMEOUT_AFTER_A_TIMEOUT if self.timeouts else self.timeout

        def expire(signum, frame):
            self.timeouts[part] = self.timeouts.get(part, 0) + 1
            raise GradingTimeout(f"did not finish within {limit:g} s (an infinite loop, "
                                 "or code far slower than needed)")

        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, limit)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if call.excinfo is None or report.passed:
            return
        status = "timeout" if call.excinfo.errisinstance(GradingTimeout) else (
            "failed" if call.when == "call" else "error")
        if item.nodeid not in self.failed:
            self.failed[item.nodeid] = TestResult(item.nodeid, status, short_message(_message_for(call.excinfo)))

    def pytest_runtest_logfinish(self, nodeid, location):
        self.on_result(self.failed.pop(nodeid, None) or TestResult(nodeid, "passed"))


def run(on_result: Callable[[TestResult], None], cells: list[str] | None = None,
        timeout: float = TEST_TIMEOUT_SECONDS, capture: str = "fd") -> int:
    """Run the hidden tests against the current submission; return pytest's exit code.

    Student output (stdout, stderr, warnings) is swallowed: it never reaches
    the results.
    """
    recorder = _Recorder(on_result, timeout)
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        return pytest.main([*_targets(cells), *PYTEST_ARGS, f"--capture={capture}"], plugins=[recorder])


def result_to_json(result: TestResult) -> dict:
    return asdict(result)
