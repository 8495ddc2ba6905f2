"""Grade one notebook with the hidden suite: ``python -m grader grade NOTEBOOK``.

The notebook's library cells (solution cells and cells tagged ``export``) run
in a child process (``grader.child``) with a time limit; test results stream
back one line each.  This process owns the list of tests and their points,
so what the child reports can only say pass or fail for a known test.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from grader import suite
from grader.parts import PARTS
from tinytorch.export import library_cells, read_notebook_json

NOTEBOOK_TIMEOUT_SECONDS = 120


@functools.lru_cache(maxsize=1)
def hidden_tests() -> tuple[suite.TestInfo, ...]:
    """The hidden suite's tests with their points, collected once per process."""
    return tuple(suite.collect())


def _run_child(cells: list[tuple[str, str]], timeout: float) -> tuple[dict[str, dict], str | None]:
    """Run the child on ``cells``; return (results by nodeid, problem or None)."""
    with tempfile.TemporaryDirectory(prefix="tinytorch-grade-") as scratch:
        cells_path = Path(scratch) / "cells.json"
        results_path = Path(scratch) / "results.jsonl"
        cells_path.write_text(json.dumps(cells), encoding="utf-8")
        results_path.touch()
        command = [sys.executable, "-m", "grader.child", str(cells_path), str(results_path)]
        problem = None
        try:
            finished = subprocess.run(command, cwd=scratch, stdin=subprocess.DEVNULL,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                      timeout=timeout)
            if finished.returncode != 0:
                problem = f"the grading process stopped early (exit code {finished.returncode})"
        except subprocess.TimeoutExpired:
            problem = f"timeout: grading did not finish within {timeout:g} s"
        results = {}
        for line in results_path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                entry = json.loads(line)
                results[entry["nodeid"]] = entry
            except (ValueError, KeyError, TypeError):
                continue
    return results, problem


def _report(notebook_name: str, tests, results: dict[str, dict], problem: str | None,
            notices: list[str]) -> dict:
    parts = []
    for part in PARTS:
        entries = []
        for test in (t for t in tests if t.part == part):
            result = results.get(test.nodeid)
            if result is None:
                status = "timeout" if problem and problem.startswith("timeout") else "error"
                message = f"not run: {problem or 'no result'}"
            else:
                status = result["status"] if result["status"] in ("passed", "failed", "error", "timeout") else "error"
                message = suite.short_message(result.get("message", "")) if status != "passed" else ""
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
    hidden suite raises (``RuntimeError``).
    """
    path = Path(path)
    tests = hidden_tests()
    try:
        cells = library_cells(read_notebook_json(path))
    except (OSError, ValueError) as error:
        problem = f"the notebook could not be read: {suite.short_message(error, 300)}"
        return _report(path.name, tests, {}, problem, [problem])
    notices = []
    if not cells:
        notices.append("the notebook has no solution cells: nothing to grade")
    results, problem = _run_child(cells, timeout)
    if problem:
        notices.append(problem)
    return _report(path.name, tests, results, problem, notices)
