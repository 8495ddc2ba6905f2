"""Turn release/05_dataloader into a complete GitHub Classroom template repository.

After nbgrader writes the student notebook, ``add_template_files`` adds:

* ``student_template/*`` — the student README, requirements, pytest.ini,
  ``.gitignore`` and ``.github/`` (the Classroom workflow and its zizmor policy);
* ``tinytorch/`` — the provided package: ``Tensor``, ``tinytorch.export``,
  and ``core/dataloader.py`` exported from the release notebook (stubs only);
* ``tests/`` — the public checks: ``grading_suite/public/`` (judgements,
  their ``observe`` fixture and the public probes), run in the student's own
  process, and ``tests/notebook_code.py``, a copy of
  ``grader/grading/student_code.py`` that loads the student's notebook for them.

Only the files listed here are copied: nothing else from the instructor's
repository can reach the template.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from grader import paths
from tinytorch.export import module_source, read_notebook_json, write_atomically

TEMPLATE_SOURCE = paths.ROOT / "student_template"
PROVIDED_LIBRARY = ("tinytorch/__init__.py", "tinytorch/core/__init__.py", "tinytorch/core/tensor.py",
                    "tinytorch/export.py", "tinytorch/data/__init__.py", "tinytorch/data/_gather.py",
                    "tinytorch/data/fast.py", "tinytorch/data/batch_transforms.py")
PUBLIC_TESTS = paths.ROOT / "grading_suite" / "public"


def template_files() -> dict[str, Path]:
    """Destination (relative to the release folder) -> source file."""
    files = {str(p.relative_to(TEMPLATE_SOURCE)): p for p in sorted(TEMPLATE_SOURCE.rglob("*")) if p.is_file()}
    files.update({name: paths.ROOT / name for name in PROVIDED_LIBRARY})
    files.update({f"tests/{p.relative_to(PUBLIC_TESTS)}": p for p in sorted(PUBLIC_TESTS.rglob("*.py"))})
    files["tests/notebook_code.py"] = paths.ROOT / "grader" / "grading" / "student_code.py"
    return files


def add_template_files(release_dir: Path = paths.RELEASE_DIR) -> list[str]:
    """Copy the template files into ``release_dir`` and export the stub
    library from its notebook; return the relative paths written."""
    release_dir = Path(release_dir)
    written = []
    for relative, source in template_files().items():
        destination = release_dir / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
        written.append(relative)
    stub_module = module_source(read_notebook_json(release_dir / paths.NOTEBOOK_NAME), paths.NOTEBOOK_NAME)
    write_atomically(release_dir / "tinytorch" / "core" / "dataloader.py", stub_module)
    written.append("tinytorch/core/dataloader.py")
    return sorted(written)
