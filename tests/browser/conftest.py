"""Fixtures of the browser tests: a Chromium driven by Playwright, screenshots,
and a check that no process started by these tests outlives them."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest

from grader import paths
from tests.browser import lab

# Screenshots are test artefacts: autograded/ is git-ignored and holds the
# other outputs of a run (figures, grades).  TINYTORCH_SCREENSHOTS_DIR moves them.
SCREENSHOTS_DIR = Path(os.environ.get("TINYTORCH_SCREENSHOTS_DIR", paths.AUTOGRADED_DIR / "screenshots"))
_saved: list[Path] = []
_elapsed: list[float] = []


@pytest.fixture(scope="package", autouse=True)
def process_marker():
    """An id carried by every process these tests start; when the package's tests
    are done, none of those processes may be left (stragglers are killed and
    the teardown fails)."""
    marker = uuid.uuid4().hex
    start = time.monotonic()
    yield marker
    _elapsed.append(time.monotonic() - start)
    deadline = time.monotonic() + 15
    left = lab.marked_processes(marker)
    while left and time.monotonic() < deadline:
        time.sleep(0.5)
        left = lab.marked_processes(marker)
    if left:
        listing = lab.describe(left)
        lab.stop_processes(left)
        pytest.fail(f"processes started by the browser tests were still running (now killed):\n{listing}")


@pytest.fixture(scope="package")
def browser(process_marker, tmp_path_factory):
    """Debian's Chromium (apt-get install chromium chromium-driver), headless."""
    if not os.access(lab.CHROMIUM, os.X_OK):
        pytest.fail(f"{lab.CHROMIUM} not found: install Chromium (`apt-get install chromium chromium-driver`) "
                    "or point TINYTORCH_CHROMIUM at a Chromium binary")
    from playwright.sync_api import sync_playwright

    home = tmp_path_factory.mktemp("browser-home")
    os.environ[lab.PROCESS_MARKER] = process_marker  # inherited by Playwright's driver process
    try:
        playwright = sync_playwright().start()
    finally:
        del os.environ[lab.PROCESS_MARKER]
    try:
        chromium = playwright.chromium.launch(executable_path=lab.CHROMIUM, args=lab.CHROMIUM_ARGS,
                                              env=lab.browser_environment(process_marker, home),
                                              timeout=60_000)
    except BaseException:
        playwright.stop()
        raise
    yield chromium
    try:
        chromium.close()
    finally:
        playwright.stop()


@pytest.fixture(scope="package")
def screenshots():
    """Save a screenshot as NAME.png in the artefact folder and return its path."""
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)

    def path(name: str) -> Path:
        target = SCREENSHOTS_DIR / f"{name}.png"
        target.unlink(missing_ok=True)
        _saved.append(target)
        return target

    return path


def pytest_terminal_summary(terminalreporter):
    saved = [p for p in _saved if p.exists()]
    if saved or _elapsed:
        terminalreporter.write_sep("-", "browser tests")
    if _elapsed:
        terminalreporter.write_line(f"browser tests took {_elapsed[0]:.0f} s (servers, browser and clean-up included)")
    for path in saved:
        terminalreporter.write_line(f"screenshot: {path}")
