"""Run a notebook top to bottom in a fresh kernel (nbclient)."""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from grader.limits import NOTEBOOK_RUN_CELL_SECONDS


@contextmanager
def _environment(extra: dict[str, str]):
    saved = {key: os.environ.get(key) for key in extra}
    os.environ.update(extra)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def execute_notebook(path: Path, *, allow_errors: bool = False, timeout: int = NOTEBOOK_RUN_CELL_SECONDS,
                     env: dict[str, str] | None = None) -> tuple[nbformat.NotebookNode, float]:
    """Execute the notebook at ``path`` in a new kernel whose working directory
    is the notebook's folder; return (executed notebook, seconds taken).

    Args:
        allow_errors: default False stops at the first failing cell and raises
            ``nbclient.exceptions.CellExecutionError``; True runs every cell and
            records errors as outputs.
        timeout: seconds allowed per cell (default 300).
        env: extra environment variables for the kernel.
    """
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    # The kernel is local and short-lived: its start-up log (a warning about
    # unencrypted local TCP) is noise for the person running the demo.
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            allow_errors=allow_errors, extra_arguments=["--IPKernelApp.log_level=ERROR"],
                            resources={"metadata": {"path": str(path.parent)}})
    with _environment(env or {}):
        start = time.perf_counter()
        client.execute()
        elapsed = time.perf_counter() - start
    return notebook, elapsed
