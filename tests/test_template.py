"""The release is a complete GitHub Classroom template: its public checks pass
on the reference, fail cleanly on the stubs, and its Classroom workflow
reports the right points through the reporter's contract."""

import base64
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from grader import paths
from grader.parts import PARTS

WORKFLOW = paths.RELEASE_DIR / ".github" / "workflows" / "classroom.yml"
PART_POINTS = {"dataset": 10, "tensordataset": 20, "dataloader": 45, "transforms": 25}


def test_template_has_everything_a_student_needs():
    for relative in ["dataloader.ipynb", "README.md", "requirements.txt", "pytest.ini", ".gitignore",
                     ".github/workflows/classroom.yml", "tinytorch/__init__.py", "tinytorch/core/tensor.py",
                     "tinytorch/core/dataloader.py", "tinytorch/export.py", "tests/__init__.py",
                     "tests/conftest.py", "tests/notebook_code.py"]:
        assert (paths.RELEASE_DIR / relative).is_file(), relative
    assert not (paths.RELEASE_DIR / "tests" / "hidden").exists()
    shipped = {str(p.relative_to(paths.RELEASE_DIR / "tests")) for p in (paths.RELEASE_DIR / "tests").rglob("*.py")}
    assert "probes/codec.py" in shipped and "observe.py" in shipped
    assert not any("hidden" in name for name in shipped), shipped
    readme = (paths.RELEASE_DIR / "README.md").read_text()
    order = ["Set up", "Open", "part by part", "Check one part", "Export", "Push", "See your points"]
    positions = [readme.find(heading) for heading in order]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), positions


def _template_with(tmp_path, notebook):
    template = tmp_path / "template"
    shutil.copytree(paths.RELEASE_DIR, template)
    shutil.copy2(notebook, template / paths.NOTEBOOK_NAME)
    return template


def _run(command, cwd):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TINYTORCH_NOTEBOOK", "PYTEST_ADDOPTS")}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, shell=isinstance(command, str))


PERFECT = paths.SUBMITTED_DIR / "example_perfect" / paths.ASSIGNMENT / paths.NOTEBOOK_NAME


@pytest.mark.slow
def test_public_checks_pass_on_the_reference(tmp_path):
    template = _template_with(tmp_path, PERFECT)
    result = _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], template)
    assert result.returncode == 0, result.stdout[-3000:]
    assert re.search(r"\d+ passed", result.stdout) and "failed" not in result.stdout
    where = _run([sys.executable, "-c", "import tinytorch; print(tinytorch.__file__)"], template)
    assert where.stdout.strip().startswith(str(template)), "the template must use its own tinytorch"


@pytest.mark.slow
def test_public_checks_fail_cleanly_on_the_stubs(tmp_path):
    template = tmp_path / "template"
    shutil.copytree(paths.RELEASE_DIR, template)
    collected = _run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"], template)
    count = int(re.search(r"(\d+) tests? collected", collected.stdout).group(1))
    result = _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], template)
    assert result.returncode == 1
    assert re.search(rf"^{count} failed in ", result.stdout.splitlines()[-1]), result.stdout[-2000:]
    assert "error" not in result.stdout.splitlines()[-1]
    assert "not implemented yet" in result.stdout


@pytest.mark.slow
def test_export_writes_the_students_own_module(tmp_path):
    template = _template_with(tmp_path, PERFECT)
    assert "raise NotImplementedError()" in (template / "tinytorch/core/dataloader.py").read_text()
    result = _run([sys.executable, "-m", "tinytorch.export"], template)
    assert result.returncode == 0, result.stderr
    check = ("from tinytorch import DataLoader, TensorDataset, Tensor; import numpy as np; "
             "print(len(DataLoader(TensorDataset(Tensor(np.zeros(10))), batch_size=3)))")
    assert _run([sys.executable, "-c", check], template).stdout.strip() == "4"


def _grader_steps(workflow):
    steps = workflow["jobs"]["run-autograding-tests"]["steps"]
    return [s for s in steps if str(s.get("uses", "")).startswith("classroom-resources/autograding-command-grader")]


def test_workflow_has_the_classroom_shape():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads `on:` as True
    assert set(triggers) == {"push", "repository_dispatch", "workflow_dispatch"}
    assert workflow["permissions"] == {"checks": "write", "actions": "read", "contents": "read"}
    job = workflow["jobs"]["run-autograding-tests"]
    assert job["if"] == "github.actor != 'github-classroom[bot]'"
    steps = _grader_steps(workflow)
    assert [s["id"] for s in steps] == list(PARTS)
    assert {s["id"]: s["with"]["max-score"] for s in steps} == PART_POINTS
    assert all(s["with"]["timeout"] > 0 and f"-m {s['id']}" in s["with"]["command"] for s in steps)
    reporter = job["steps"][-1]
    assert reporter["uses"].startswith("classroom-resources/autograding-grading-reporter")
    assert reporter["with"]["runners"] == ",".join(PARTS)
    assert reporter["env"] == {f"{p.upper()}_RESULTS": f"${{{{ steps.{p}.outputs.result }}}}" for p in PARTS}


def _command_grader_result(step, returncode):
    """The base64 JSON that autograding-command-grader outputs for one step."""
    passed = returncode == 0
    result = {"version": 1, "status": "pass" if passed else "fail", "max_score": step["with"]["max-score"],
              "tests": [{"name": step["with"]["test-name"], "status": "pass" if passed else "fail",
                         "message": "", "line_no": 0, "execution_time": "0s",
                         "score": step["with"]["max-score"] if passed else 0}]}
    return base64.b64encode(json.dumps(result).encode()).decode()


def _reporter_points(runners, env):
    """Total and max points, decoded exactly as autograding-grading-reporter does."""
    total = maximum = 0
    for runner in [r for r in re.split(r"[\s,]", runners) if r]:
        results = json.loads(base64.b64decode(env[f"{runner.strip().upper()}_RESULTS"]).decode("utf-8"))
        if not results["max_score"]:
            continue
        maximum += results["max_score"]
        total += sum(test["score"] for test in results["tests"])
    return total, maximum


@pytest.mark.slow
@pytest.mark.parametrize("notebook, expected", [(PERFECT, 100), (None, 0)])
def test_classroom_steps_run_locally_and_report_the_points(tmp_path, notebook, expected):
    template = _template_with(tmp_path, notebook) if notebook else tmp_path / "template"
    if not notebook:
        shutil.copytree(paths.RELEASE_DIR, template)
    workflow = yaml.safe_load(WORKFLOW.read_text())
    outputs = tmp_path / "github_output"
    env = {}
    for step in _grader_steps(workflow):
        returncode = _run(step["with"]["command"], template).returncode
        encoded = _command_grader_result(step, returncode)
        with outputs.open("a") as stream:  # what the action writes to $GITHUB_OUTPUT
            stream.write(f"result={encoded}\n")
        env[f"{step['id'].upper()}_RESULTS"] = encoded
    reporter = workflow["jobs"]["run-autograding-tests"]["steps"][-1]
    assert _reporter_points(reporter["with"]["runners"], env) == (expected, 100)
    assert len(outputs.read_text().splitlines()) == len(PARTS)
