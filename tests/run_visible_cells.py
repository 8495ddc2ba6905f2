"""Run notebooks' code cells in order, as a student's kernel would, and say
which of their visible test cells fail: ``python tests/run_visible_cells.py``.

Reads JSON from stdin: ``{"notebooks": [[[grade_id, source, is_test], ...],
...], "cell_seconds": S, "notebook_seconds": N}``; writes JSON to stdout: for
each notebook, ``{grade_id: None | message}`` over its test cells (None: the
cell ran to the end).

Each notebook runs in its own child, forked from this process once NumPy and
TinyTorch's Tensor are imported (so a notebook costs milliseconds, and what
one notebook does to global state, such as NumPy's random state, never
reaches another).  Every cell runs, even after one fails (a notebook run with
errors allowed), with Python's and NumPy's global random state seeded with
0 so that a run repeats; a cell gets S seconds, a notebook N seconds and
2 GiB of memory.  The cells' own output is discarded.  Trusted project code only
(fixtures, the reference): no sandbox.
"""

import contextlib
import io
import json
import os
import resource
import select
import signal
import sys
import time

MEMORY_BYTES = 2 << 30


class CellTimeout(BaseException):
    """A cell ran past its seconds (a BaseException: ``except Exception`` in a cell does not stop it)."""


def _on_alarm(signum, frame):
    raise CellTimeout()


def _describe(error: BaseException, seconds: float) -> str:
    if isinstance(error, CellTimeout):
        return f"did not finish within {seconds:g} s"
    if isinstance(error, AssertionError):
        return str(error) or "AssertionError"
    return f"{type(error).__name__}: {error}"


def run_cells(cells: list, seconds: float) -> dict:
    """Run ``cells`` in one namespace; return {test grade_id: None | why it failed}."""
    namespace = {"__name__": "__main__"}
    results = {}
    signal.signal(signal.SIGALRM, _on_alarm)
    for grade_id, source, is_test in cells:
        error = None
        try:
            signal.setitimer(signal.ITIMER_REAL, seconds)
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                exec(compile(source, f"<cell {grade_id}>", "exec"), namespace)
        except BaseException as caught:  # noqa: BLE001 - the cell's failure is what we record
            error = caught
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if is_test:
            results[grade_id] = None if error is None else _describe(error, seconds)[:1000]
    return results


def _child(cells: list, seconds: float, answer: int) -> None:
    try:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        import random

        import numpy

        random.seed(0)  # a fresh kernel's random state differs every time: fix it, so a run repeats
        numpy.random.seed(0)
        data = json.dumps(run_cells(cells, seconds)).encode()
        while data:
            data = data[os.write(answer, data):]
    finally:
        os._exit(0)


def run_notebook(cells: list, cell_seconds: float, notebook_seconds: float) -> dict:
    """The results of ``cells`` run in a forked child (see the module docstring)."""
    tests = [grade_id for grade_id, _, is_test in cells if is_test]
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _child(cells, cell_seconds, write_end)
    os.close(write_end)
    deadline, chunks, problem = time.monotonic() + notebook_seconds, [], None
    with os.fdopen(read_end, "rb") as stream:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([stream], [], [], left)[0]:
                problem = f"the notebook did not finish within {notebook_seconds:g} s"
                os.kill(pid, signal.SIGKILL)
                break
            chunk = os.read(stream.fileno(), 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    try:
        results = json.loads(b"".join(chunks))
    except ValueError:
        results = {}
        problem = problem or f"the notebook's process ended without results (wait status {status})"
    return {grade_id: results[grade_id] if grade_id in results else f"not run: {problem}" for grade_id in tests}


def main() -> None:
    request = json.load(sys.stdin)
    import numpy  # noqa: F401 - imported once here, inherited by every forked notebook

    import tinytorch.core.tensor  # noqa: F401

    results = [run_notebook(cells, request["cell_seconds"], request["notebook_seconds"])
               for cells in request["notebooks"]]
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
