"""The code under test: a submission's library cells loaded as a module.

Each cell is compiled and run on its own, in notebook order, in one module
namespace; a cell that fails (syntax error, exception at top level) is
recorded and the next cell still runs, so one broken method does not hide
the names that other cells define.  Tests ask for names with
``Submission.require``; a missing name fails only the tests that need it.

Without a loaded submission, the code under test is the notebook named by the
environment variable ``TINYTORCH_NOTEBOOK`` (the student template's tests set
it to the student's notebook), else the exported library
``tinytorch.core.dataloader`` (the reference, in the instructor repository).

The student template ships a copy of this file as ``tests/notebook_code.py``.
"""

from __future__ import annotations

import linecache
import os
import signal
import sys
import types
from dataclasses import dataclass, field

CELL_FILENAME_PREFIX = "<notebook cell "
CELL_TIMEOUT_SECONDS = 10  # a cell's top level must finish loading within this
_current: "Submission | None" = None


class MissingName(Exception):
    """A name the tests need is not defined by the submission.

    ``facts`` says why as plain data: ``name``; ``module`` (it comes from
    another module), or ``cell`` and ``error`` (the cell meant to define it
    failed), or ``failures`` (``[cell, error]`` of every cell that failed).
    """

    def __init__(self, message: str, facts: dict | None = None):
        super().__init__(message)
        self.facts = facts or {}


@dataclass
class CellFailure:
    """A library cell that did not run to the end."""

    cell_id: str
    error: str  # "SyntaxError: invalid syntax (line 12)"


@dataclass
class Submission:
    """The namespace of a submission's code and the cells that failed to run."""

    namespace: dict
    label: str = "your notebook"
    module_name: str | None = None  # classes and functions must come from this module
    failures: list[CellFailure] = field(default_factory=list)
    cell_sources: dict[str, str] = field(default_factory=dict)

    def require(self, name: str):
        """Return the object called ``name``.

        Raises:
            MissingName: if the submission does not define it; the message
                says which cell failed, when one did.
        """
        if name in self.namespace:
            value = self.namespace[name]
            origin = getattr(value, "__module__", None) if callable(value) else None
            if self.module_name and origin is not None and origin != self.module_name:
                raise MissingName(f"`{name}` comes from the module {origin}, not from {self.label}: "
                                  f"define {name} in the notebook itself", {"name": name, "module": str(origin)})
            return value
        reason = f"`{name}` is not defined by {self.label}"
        culprit = self._cell_meant_to_define(name)
        if culprit is not None:
            reason += f": the cell '{culprit.cell_id}' failed with {culprit.error}"
            facts = {"name": name, "cell": culprit.cell_id, "error": culprit.error}
        elif self.failures:
            failed = "; ".join(f"'{f.cell_id}': {f.error}" for f in self.failures)
            reason += f" (cells that failed to run: {failed})"
            facts = {"name": name, "failures": [[f.cell_id, f.error] for f in self.failures]}
        else:
            reason += " (is the cell that defines it missing, or no longer a code cell?)"
            facts = {"name": name}
        raise MissingName(reason, facts)

    def _cell_meant_to_define(self, name: str) -> CellFailure | None:
        for failure in self.failures:
            source = self.cell_sources.get(failure.cell_id, "")
            if f"class {name}" in source or f"def {name}" in source:
                return failure
        return None


def cell_filename(cell_id: str) -> str:
    """The pseudo file name that tracebacks show for a notebook cell."""
    return f"{CELL_FILENAME_PREFIX}{cell_id}>"


def new_module(module_name: str = "submission") -> types.ModuleType:
    """A fresh module registered in ``sys.modules`` (so that classes defined in
    it behave as in an imported module)."""
    module = types.ModuleType(module_name)
    module.__file__ = f"<{module_name}>"
    sys.modules[module_name] = module
    return module


def load_cell(submission: Submission, cell_id: str, source: str) -> CellFailure | None:
    """Run one cell in ``submission``'s namespace; record and return its failure, if any."""
    submission.cell_sources[cell_id] = source
    filename = cell_filename(cell_id)
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    failure = None
    try:
        code = compile(source, filename, "exec")
        with _time_limit(CELL_TIMEOUT_SECONDS):
            exec(code, submission.namespace)
    except CellTimeout:
        failure = CellFailure(cell_id, f"a timeout: its top-level code did not finish within {CELL_TIMEOUT_SECONDS} s")
    except BaseException as error:  # noqa: BLE001 - student code may raise anything
        if isinstance(error, KeyboardInterrupt):
            raise
        failure = CellFailure(cell_id, describe_exception(error))
    if failure is not None:
        submission.failures.append(failure)
    return failure


def load_cells(cells: list[tuple[str, str]], module_name: str = "submission") -> Submission:
    """Run ``(cell_id, source)`` pairs in order in a fresh module and return it
    as a ``Submission``; a cell that fails is recorded and the next still runs."""
    module = new_module(module_name)
    submission = Submission(module.__dict__, module_name=module_name)
    for cell_id, source in cells:
        load_cell(submission, cell_id, source)
    return submission


class CellTimeout(BaseException):
    """A cell's top-level code ran past its time limit."""


class _time_limit:
    """Raise CellTimeout in the main thread after ``seconds`` (no-op elsewhere)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.active = hasattr(signal, "SIGALRM") and _in_main_thread()

    def __enter__(self):
        if self.active:
            self.previous = signal.signal(signal.SIGALRM, self._expire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc):
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
        return False

    @staticmethod
    def _expire(signum, frame):
        raise CellTimeout()


def _in_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def describe_exception(error: BaseException) -> str:
    """``"ExcType: message (cell 'id', line N)"`` using the innermost frame of
    the submission's own code; hidden test frames are never named."""
    text = f"{type(error).__name__}: {error}".rstrip(": ")
    if isinstance(error, SyntaxError) and error.filename and error.filename.startswith(CELL_FILENAME_PREFIX):
        return f"SyntaxError: {error.msg} (cell '{error.filename[len(CELL_FILENAME_PREFIX):-1]}', line {error.lineno})"
    location = student_location(error.__traceback__)
    return f"{text} ({location})" if location else text


def student_location(traceback) -> str | None:
    """Describe the innermost traceback frame that runs submission code."""
    found = None
    while traceback is not None:
        code = traceback.tb_frame.f_code
        if code.co_filename.startswith(CELL_FILENAME_PREFIX):
            cell = code.co_filename[len(CELL_FILENAME_PREFIX):-1]
            where = "" if code.co_name == "<module>" else f"in {code.co_qualname}, "
            found = f"{where}cell '{cell}', line {traceback.tb_lineno}"
        traceback = traceback.tb_next
    return found


def load_notebook(path: str) -> Submission:
    """Load the library cells of the notebook at ``path`` as a Submission.

    An unreadable notebook gives an empty submission whose failure says why.
    """
    from tinytorch.export import library_cells, read_notebook_json

    try:
        cells = library_cells(read_notebook_json(path))
    except (OSError, ValueError) as error:
        return Submission({}, label=os.path.basename(path), failures=[CellFailure("notebook", str(error))])
    submission = load_cells(cells)
    submission.label = os.path.basename(path)
    return submission


def set_current(submission: Submission | None) -> None:
    """Make ``submission`` the code under test (``None``: the reference library)."""
    global _current
    _current = submission


def current() -> Submission:
    """The code under test: the loaded submission, else the notebook named by
    ``TINYTORCH_NOTEBOOK`` (loaded once), else the reference library."""
    if _current is not None:
        return _current
    notebook = os.environ.get("TINYTORCH_NOTEBOOK")
    if notebook:
        set_current(load_notebook(notebook))
        return _current
    import tinytorch.core.dataloader as reference

    return Submission(vars(reference), label="tinytorch.core.dataloader")
