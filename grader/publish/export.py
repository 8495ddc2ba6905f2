"""Export the library code of a notebook as a Python module.

``python -m grader export`` writes ``tinytorch/core/dataloader.py`` from the
source notebook; ``--notebook`` exports a student's notebook instead, and
``--check`` only reports whether the module is up to date.  The export rules
live in ``tinytorch.export``, which students run in their own repository.
"""

from __future__ import annotations

from pathlib import Path

from tinytorch.export import module_source, read_notebook_json, write_atomically

__all__ = ["export", "library_source"]


def library_source(notebook_path: Path, origin: str | None = None) -> str:
    """Return the module text exported from the notebook at ``notebook_path``.

    ``origin`` is the notebook name written in the header (default: the file name).
    """
    return module_source(read_notebook_json(notebook_path), origin or Path(notebook_path).name)


def export(notebook_path: Path, module_path: Path, origin: str | None = None) -> bool:
    """Write the module exported from ``notebook_path``; return True if it changed."""
    text = library_source(notebook_path, origin)
    module_path = Path(module_path)
    if module_path.exists() and module_path.read_text(encoding="utf-8") == text:
        return False
    write_atomically(module_path, text)
    return True
