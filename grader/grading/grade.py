"""Grade one notebook with the grading suite: ``python -m grader grade NOTEBOOK``.

The notebook's library cells (solution cells and cells tagged ``export``) are
loaded into a sandboxed child process (``grader.grading.channel``, ``grader.grading.sandbox``,
``grader.grading.child``), which answers the probes of the judgements.  The
judgements, their expected values, points and messages run here, in a process
that never runs submission code:

* a test whose probe timed out, crashed or sent malformed data scores 0
  (``timeout`` or ``error``);
* text that comes from the submission (exception messages, names) is quoted,
  cut, and scrubbed of any line of the judgements, the reference library or
  ``source/``.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import re
from pathlib import Path

from grader import paths
from grader.grading import sandbox, suite
from grader.grading.channel import ProbeSession
from grader.grading.intake import notebook_cells_and_notices
from grader.limits import MAX_NOTICES, NOTEBOOK_SECONDS, NOTICE_LIMIT, QUOTED_PER_REPORT, SECRET_LINE_LENGTH
from grader.parts import PARTS

STATUSES = ("passed", "failed", "error", "timeout")
QUOTED = re.compile(r"«[^«»]*»")


@functools.lru_cache(maxsize=1)
def hidden_tests() -> tuple[suite.TestInfo, ...]:
    """The grading suite's tests with their points, collected once per process."""
    return tuple(suite.collect())


def secret_files() -> list[Path]:
    """Files no report may quote: the judgements, the reference library, ``source/``."""
    files = [path for directory in suite.JUDGEMENT_DIRS for path in sorted(directory.glob("*.py"))]
    files.append(paths.LIBRARY_MODULE)
    files += sorted(p for p in paths.SOURCE_DIR.rglob("*") if p.is_file())
    return files


@functools.lru_cache(maxsize=1)
def _secret_lines() -> tuple[str, ...]:
    lines = set()
    for path in secret_files():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            line = line.strip()
            if len(line) >= SECRET_LINE_LENGTH:
                lines.add(line)
    return tuple(sorted(lines, key=len, reverse=True))


def scrub(message: str) -> str:
    """``message`` without any secret line or control character, cut to one short line."""
    for line in _secret_lines():
        if line in message:
            message = message.replace(line, "[removed]")
    message = "".join(character if character.isprintable() or character == " " else "?"
                      for character in " ".join(message.split()))
    return suite.short_message(message)


@functools.lru_cache(maxsize=1)
def _grading_secret() -> bytes:
    """What students never see: ``TINYTORCH_GRADING_SECRET`` when set, and the
    hidden judgements (never mounted in the sandbox)."""
    digest = hashlib.sha256(os.environ.get("TINYTORCH_GRADING_SECRET", "").encode())
    for path in sorted(paths.HIDDEN_SUITE_DIR.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


def draw_key(cells: list[tuple[str, str]]) -> bytes:
    """The key the judgements draw this submission's inputs from: the graded
    code and the grading secret, so the same code always gets the same inputs
    and no notebook can carry answers for inputs it cannot know in advance."""
    code = json.dumps([list(cell) for cell in cells], ensure_ascii=False).encode("utf-8", "replace")
    return hmac.new(_grading_secret(), code, hashlib.sha256).digest()


def _clean_notices(notices: list[str]) -> list[str]:
    """Notices name cells the notebook's metadata names: scrub and cut them, and keep a few."""
    kept = [scrub(notice)[:NOTICE_LIMIT] for notice in notices[:MAX_NOTICES]]
    if len(notices) > MAX_NOTICES:
        kept.append(f"... and {len(notices) - MAX_NOTICES} more notices")
    return kept


def _report(notebook_name: str, tests, results: dict[str, suite.TestResult], problem: str | None,
            notices: list[str]) -> dict:
    parts = []
    for part in PARTS:
        entries = []
        for test in (t for t in tests if t.part == part):
            result = results.get(test.nodeid)
            if result is None:
                status, message = "error", f"not run: {problem or 'no result'}"
            else:
                status = result.status if result.status in STATUSES else "error"
                message = scrub(result.message) if status != "passed" else ""
            score = test.points if status == "passed" else 0.0
            entries.append({"name": test.name, "cell": test.cell, "status": status, "score": score,
                            "max_score": test.points, "message": message, "checks": test.doc})
        parts.append({"name": part, "score": sum(e["score"] for e in entries),
                      "max_score": sum(e["max_score"] for e in entries), "tests": entries})
    _cap_quoted(entry for p in parts for entry in p["tests"])
    return {"notebook": notebook_name, "score": sum(p["score"] for p in parts),
            "max_score": sum(p["max_score"] for p in parts), "parts": parts, "notices": _clean_notices(notices)}


def _cap_quoted(entries) -> None:
    """Keep at most QUOTED_PER_REPORT characters of quoted submission text in
    all messages together; later quotes become «…»."""
    budget = [QUOTED_PER_REPORT]

    def keep(match: re.Match) -> str:
        budget[0] -= len(match.group())
        return match.group() if budget[0] >= 0 else "«…»"

    for entry in entries:
        entry["message"] = QUOTED.sub(keep, entry["message"])


def grade_notebook(path: Path, timeout: float = NOTEBOOK_SECONDS, unsandboxed: bool = False,
                   key: bytes | None = None) -> dict:
    """Grade the notebook at ``path``; return the report (see README for its shape).

    Args:
        timeout: seconds for the whole notebook (default 120).
        unsandboxed: grade without bubblewrap where it cannot run (trusted code
            only; the report says so).  Default False: refuse instead.
        key: the key the judgements draw inputs from; default ``draw_key``
            of the graded code (tests pass others to show a grade does not
            depend on the draw).

    An unreadable notebook is graded 0 with a notice saying why.

    Raises:
        sandbox.SandboxUnavailable: bubblewrap cannot run and ``unsandboxed`` is False.
        RuntimeError: the grading suite itself is broken.
    """
    path = Path(path)
    isolation = sandbox.isolation(unsandboxed)
    tests = hidden_tests()
    cells, notices, fatal = notebook_cells_and_notices(path)
    if fatal:
        report = _report(path.name, tests, {}, fatal, notices)
    else:
        results: dict[str, suite.TestResult] = {}
        with ProbeSession(cells, isolation, timeout) as session:
            suite.run(session, lambda result: results.setdefault(result.nodeid, result),
                      draw_key=key if key is not None else draw_key(cells))
        if session.broken:
            raise RuntimeError(session.broken)
        report = _report(path.name, tests, results, None, notices)
    if isolation != "bubblewrap":
        report["notices"].append(f"isolation {isolation}")
    report["isolation"] = isolation
    return report
