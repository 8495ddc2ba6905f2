"""`python -m grader grade`: exit codes, the JSON contract, partial loading."""

import json
import subprocess
import sys

import nbformat
import pytest

from grader import paths
from grader.grading.grade import grade_notebook
from grader.publish.fill import fill_release, reference_solutions

PERFECT = paths.SUBMITTED_DIR / "example_perfect" / paths.ASSIGNMENT / paths.NOTEBOOK_NAME
UNTOUCHED = paths.SUBMITTED_DIR / "example_untouched" / paths.ASSIGNMENT / paths.NOTEBOOK_NAME


def _check_shape(report):
    assert isinstance(report["notebook"], str)
    assert isinstance(report["score"], float) and isinstance(report["max_score"], float)
    assert [p["name"] for p in report["parts"]] == ["dataset", "tensordataset", "dataloader", "transforms"]
    for part in report["parts"]:
        assert isinstance(part["score"], float) and isinstance(part["max_score"], float)
        assert part["score"] == sum(t["score"] for t in part["tests"])
        for test in part["tests"]:
            assert set(test) >= {"name", "status", "score", "max_score", "message"}
            assert test["status"] in ("passed", "failed", "error", "timeout")
            assert isinstance(test["score"], float) and isinstance(test["message"], str)
            assert test["score"] == (test["max_score"] if test["status"] == "passed" else 0.0)
            assert (test["message"] == "") == (test["status"] == "passed")


@pytest.mark.slow
def test_cli_prints_a_table_writes_json_and_exits_zero(tmp_path):
    out = tmp_path / "out.json"
    result = subprocess.run([sys.executable, "-m", "grader", "grade", str(UNTOUCHED), "--json", str(out)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    _check_shape(report)
    assert report["score"] == 0 and report["max_score"] == 100
    assert "dataloader" in result.stdout and "not implemented yet" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("content", [b"this is not json", b"", b"\xff\xfe\x00garbage"])
def test_unreadable_notebook_gets_zero_and_a_notice(tmp_path, content):
    path = tmp_path / "broken.ipynb"
    path.write_bytes(content)
    report = grade_notebook(path)
    _check_shape(report)
    assert report["score"] == 0
    assert any("could not be read" in notice for notice in report["notices"])


def test_missing_notebook_gets_zero_and_a_notice(tmp_path):
    report = grade_notebook(tmp_path / "nope.ipynb")
    assert report["score"] == 0 and report["notices"]


def _grade_with(tmp_path, **cells):
    path = tmp_path / "submission.ipynb"
    nbformat.write(fill_release(cells), path)
    report = grade_notebook(path)
    _check_shape(report)
    return {p["name"]: p["score"] for p in report["parts"]}, report


@pytest.mark.slow
def test_a_syntax_error_costs_only_the_part_of_its_cell(tmp_path):
    broken = reference_solutions()["compose"].replace("for transform in self.transforms:", "for transform in", 1)
    scores, report = _grade_with(tmp_path, compose=broken)
    assert scores == {"dataset": 10, "tensordataset": 20, "dataloader": 45, "transforms": 20}
    messages = [t["message"] for p in report["parts"] for t in p["tests"] if t["status"] != "passed"]
    assert messages and all("SyntaxError" in m and "compose" in m for m in messages)


@pytest.mark.slow
def test_an_exception_at_top_level_costs_only_what_it_hides(tmp_path):
    broken = "raise RuntimeError('oops')\n" + reference_solutions()["tensordataset"]
    scores, _ = _grade_with(tmp_path, tensordataset=broken)
    assert scores == {"dataset": 10, "tensordataset": 0, "dataloader": 45, "transforms": 25}


@pytest.mark.slow
def test_importing_the_reference_instead_of_writing_it_earns_nothing(tmp_path):
    cheat = "from tinytorch.core.dataloader import DataLoader\n"
    scores, report = _grade_with(tmp_path, dataloader=cheat)
    assert scores["dataloader"] == 0 and scores["dataset"] == 10
