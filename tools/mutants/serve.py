"""Grading server for the mutation run (started by ``tools/mutants.py``, one per job).

    python tools/mutants/serve.py SOCKET RELEASE_NOTEBOOK

(``RELEASE_NOTEBOOK``: the run's snapshot of the release, so that other work
regenerating ``release/`` during a run cannot disturb it.)

Collects the grading suite once, prints ``ready``, then answers requests on the
Unix socket ``SOCKET``: each request names a directory of solution cells
(``<grade_id>.py``, the reference with at most one cosmic-ray mutation), which
is built into a notebook exactly as a submission (``grader.publish.fill.fill_release``)
and graded through the grader's own path (``grader.grading.grade.grade_notebook``:
sandboxed child, the grader's time limits, public + hidden judgements, the draw
key of the graded code).  The answer is one JSON line: score, max_score, the
failing tests and the grading's wall time; or ``error`` if grading itself broke.
Keeping the suite collected here saves ~7 s of start-up per mutant.  When a
file of ``grading_suite/`` changes (other work editing the suite), the
judgements are forgotten and collected again before the next grading, so each
grading sees one consistent suite (judgements and probes alike); a grading
during which the suite changed is repeated.
"""

from __future__ import annotations

import json
import socket
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

import nbformat  # noqa: E402

from grader import paths  # noqa: E402
from grader.grading import grade  # noqa: E402
from grader.grading.grade import grade_notebook, hidden_tests  # noqa: E402
from grader.publish.fill import fill_release  # noqa: E402


def suite_fingerprint() -> tuple:
    """Names, sizes and modification times of the grading suite's files."""
    return tuple(sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns)
                        for p in paths.SUITE_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts))


def reload_suite() -> None:
    """Forget the judgements and everything cached from the suite's files."""
    for name in [n for n in sys.modules if n == "grading_suite" or n.startswith("grading_suite.")]:
        del sys.modules[name]
    for cached in (grade.hidden_tests, grade._grading_secret, grade._secret_lines):
        cached.cache_clear()
    hidden_tests()


def grade_cells(cells_dir: Path, release: Path, scratch: Path) -> dict:
    """Grade the notebook whose solution cells are the files of ``cells_dir``."""
    replacements = {path.stem: path.read_text(encoding="utf-8") for path in sorted(cells_dir.glob("*.py"))}
    notebook_path = scratch / "mutant.ipynb"
    nbformat.write(fill_release(replacements, reference=False, release_notebook=release), notebook_path)
    start = time.monotonic()
    report = grade_notebook(notebook_path)
    seconds = time.monotonic() - start
    failed = [f"{part['name']}/{test['name']} ({test['status']})"
              for part in report["parts"] for test in part["tests"] if test["status"] != "passed"]
    return {"score": report["score"], "max_score": report["max_score"], "failed": failed,
            "seconds": round(seconds, 2)}


def serve(socket_path: str, release: Path) -> None:
    fingerprint = suite_fingerprint()
    hidden_tests()
    scratch = Path(tempfile.mkdtemp(prefix="notebook-", dir=Path(socket_path).parent))
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(socket_path)
    server.listen(1)
    print("ready", flush=True)
    while True:
        connection, _ = server.accept()
        with connection, connection.makefile("rwb") as stream:
            request = json.loads(stream.readline() or b"{}")
            if request.get("quit"):
                return
            for attempt in range(4):  # again after a transient failure or a change of the suite
                try:
                    before = suite_fingerprint()
                    if before != fingerprint:
                        reload_suite()
                        fingerprint = before
                    answer = grade_cells(Path(request["cells_dir"]), release, scratch)
                    if suite_fingerprint() == fingerprint:
                        break
                    answer = {"error": "the grading suite kept changing during the grading"}
                except Exception as error:  # the grader or the suite broke: not a kill
                    answer = {"error": f"{type(error).__name__}: {error}"}
                    time.sleep(2)
            stream.write(json.dumps(answer).encode() + b"\n")
            stream.flush()


if __name__ == "__main__":
    serve(sys.argv[1], Path(sys.argv[2]))
