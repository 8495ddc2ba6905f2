"""Grade one notebook with the grading suite: ``python -m grader grade NOTEBOOK``.

The notebook's library cells (solution cells and cells tagged ``export``) run
in a sandboxed child process (``grader.sandbox``, ``grader.child``) with time
and resource limits; test results stream back one line each.  This process
owns the list of tests and their points, so the child can only say pass or
fail for a known test, and it judges the run:

* a test without a result scores 0 (``timeout`` if the time limit was hit,
  ``error`` if the child stopped early);
* the canaries (tests/grading/test_canary.py) must come out as expected, else
  the judgement was tampered with and the grade is 0, with a notice saying so;
* every message is scrubbed of grading-suite source and capped in length;
  the child's own output is never read.
"""

from __future__ import annotations

import functools
import json
import sys
import tempfile
from pathlib import Path

from grader import sandbox, suite
from grader.notebook_checks import notebook_cells_and_notices
from grader.parts import PARTS

NOTEBOOK_TIMEOUT_SECONDS = 120
STATUSES = ("passed", "failed", "error", "timeout")


@functools.lru_cache(maxsize=1)
def _collected() -> tuple[suite.TestInfo, ...]:
    return tuple(suite.collect())


def hidden_tests() -> tuple[suite.TestInfo, ...]:
    """The grading suite's scored tests with their points, collected once per process."""
    return tuple(t for t in _collected() if not t.canary)


def canaries() -> tuple[suite.TestInfo, ...]:
    return tuple(t for t in _collected() if t.canary)


@functools.lru_cache(maxsize=1)
def _suite_lines() -> tuple[str, ...]:
    """Lines of the grading suite's source specific enough to recognise."""
    lines = set()
    for directory in suite.SUITE_DIRS:
        for path in directory.glob("*.py"):
            for line in path.read_text(encoding="utf-8").splitlines():
                line = line.strip()
                if len(line) >= 16 and not line.startswith("#"):
                    lines.add(line)
    return tuple(sorted(lines, key=len, reverse=True))


def scrub(message: str) -> str:
    """Remove any grading-suite source line from ``message`` and cap its length."""
    for line in _suite_lines():
        if line in message:
            message = message.replace(line, "[grading code removed]")
    return suite.short_message(message)


def _run_child(cells: list[tuple[str, str]], timeout: float) -> tuple[dict[str, dict], str | None, str]:
    """Run the child on ``cells`` in the sandbox; return (results by nodeid,
    problem or None, isolation)."""
    with tempfile.TemporaryDirectory(prefix="tinytorch-grade-") as scratch:
        cells_path = Path(scratch) / "cells.json"
        results_path = Path(scratch) / "results.jsonl"
        cells_path.write_text(json.dumps(cells), encoding="utf-8")
        results_path.touch()
        inside = Path("/scratch") if sandbox.bubblewrap_problem() is None else Path(scratch)
        argv = [sys.executable, "-m", "grader.child", str(inside / "cells.json"), str(inside / "results.jsonl")]
        run = sandbox.run(argv, Path(scratch), timeout)
        results, finished = {}, False
        with results_path.open(encoding="utf-8", errors="replace") as stream:
            for line in stream:
                try:
                    entry = json.loads(line)
                    nodeid = entry["nodeid"]
                except (ValueError, KeyError, TypeError):
                    continue
                if nodeid == "::done::":
                    finished = True
                else:
                    results.setdefault(nodeid, entry)
    problem = None
    if run.timed_out:
        problem = f"timeout: grading did not finish within {timeout:g} s"
    elif not finished:
        problem = f"the grading process stopped early (exit code {run.returncode})"
    return results, problem, run.isolation


def _tampering(results: dict[str, dict]) -> str | None:
    """Why the canaries say the judgement was tampered with, or None."""
    for canary in canaries():
        status = results.get(canary.nodeid, {}).get("status")
        if status is None:
            continue  # not reached: the run stopped early, which is reported anyway
        if canary.canary == "fail" and status == "passed":
            return ("grading was tampered with: a check that must fail passed (the code patches pytest, "
                    "the grader, builtins or the exit functions); grade set to 0")
        if canary.canary == "pass" and status != "passed":
            return "grading was tampered with: a check that must pass failed; grade set to 0"
    return None


def _report(notebook_name: str, tests, results: dict[str, dict], problem: str | None,
            notices: list[str], zero: bool = False) -> dict:
    parts = []
    for part in PARTS:
        entries = []
        for test in (t for t in tests if t.part == part):
            result = results.get(test.nodeid)
            if result is None:
                status = "timeout" if problem and problem.startswith("timeout") else "error"
                message = f"not run: {problem or 'no result'}"
            else:
                status = result.get("status") if result.get("status") in STATUSES else "error"
                message = scrub(str(result.get("message", ""))) if status != "passed" else ""
            if zero and status == "passed":
                status, message = "error", "not counted: " + notices[-1]
            score = test.points if status == "passed" else 0.0
            entries.append({"name": test.name, "status": status, "score": score,
                            "max_score": test.points, "message": message, "checks": test.doc})
        parts.append({"name": part, "score": sum(e["score"] for e in entries),
                      "max_score": sum(e["max_score"] for e in entries), "tests": entries})
    return {"notebook": notebook_name, "score": sum(p["score"] for p in parts),
            "max_score": sum(p["max_score"] for p in parts), "parts": parts, "notices": notices}


def grade_notebook(path: Path, timeout: float = NOTEBOOK_TIMEOUT_SECONDS) -> dict:
    """Grade the notebook at ``path``; return the report (see README for its shape).

    An unreadable notebook is graded 0 with a notice saying why; only a broken
    grading suite raises (``RuntimeError``).
    """
    path = Path(path)
    tests = hidden_tests()
    cells, notices, fatal = notebook_cells_and_notices(path)
    if fatal:
        return _report(path.name, tests, {}, fatal, notices)
    results, problem, isolation = _run_child(cells, timeout)
    if isolation != "bubblewrap":
        notices.append(f"isolation {isolation}")
    if problem:
        notices.append(problem)
    tampering = _tampering(results)
    if tampering:
        notices.append(tampering)
    report = _report(path.name, tests, results, problem, notices, zero=tampering is not None)
    report["isolation"] = isolation
    return report
