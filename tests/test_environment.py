"""environment.yml, pyproject.toml, README and CI agree with each other."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _pyproject_dependencies():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]


def _environment_pip_section():
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "- pip:")
    indent = len(lines[start + 1]) - len(lines[start + 1].lstrip())
    entries = []
    for line in lines[start + 1:]:
        if not line.strip() or len(line) - len(line.lstrip()) < indent:
            break
        entries.append(line.strip()[2:].strip())
    return entries


def _normalise(requirement):
    return re.sub(r"\s+", "", requirement).lower()


def test_environment_yml_names_exactly_the_pyproject_dependencies():
    pip_section = [entry for entry in _environment_pip_section() if entry != "-e ."]
    assert sorted(map(_normalise, pip_section)) == sorted(map(_normalise, _pyproject_dependencies()))
    assert "-e ." in _environment_pip_section()


def test_python_version_agrees():
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == ">=3.11"
    assert "python>=3.11" in (ROOT / "environment.yml").read_text()


def test_known_bad_versions_are_pinned_out():
    dependencies = {_normalise(d) for d in _pyproject_dependencies()}
    assert "sqlalchemy>=2.0,<2.1" in dependencies, "nbgrader 0.9.6 warns on every autograde with SQLAlchemy 2.1"
    assert any(d.startswith("nbgrader>=0.9") and "<0.10" in d for d in dependencies)


def test_ci_and_workflow_run_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make demo" in readme
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), re.MULTILINE)
    assert "make test" in (ROOT / ".github" / "workflows" / "ci.yml").read_text()
