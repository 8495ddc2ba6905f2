"""Bulk grading: layouts, resumability after kill -9, shards and merge."""

import csv
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from grader import paths
from grader.classroom.autograde import autograde, merge, shard_of
from grader.classroom.student_folders import students_in
from tests.test_intake import deep_tree, remove_deep_tree

EXAMPLES = ["example_partial", "example_perfect", "example_untouched"]


def _class_of(tmp_path, copies=2):
    """A submissions folder with `copies` students per bundled example (named
    ``perfect-0`` ...: ``example_*`` folders are the bundled examples, left out of a class)."""
    submissions = tmp_path / "submitted"
    for example in EXAMPLES:
        for index in range(copies):
            shutil.copytree(paths.SUBMITTED_DIR / example, submissions / f"{example.removeprefix('example_')}-{index}")
    return submissions


def _rows(output):
    with open(output / "grades.csv", newline="") as stream:
        return list(csv.DictReader(stream))


def test_shards_partition_the_class():
    students = [f"s{i}" for i in range(10)]
    shards = [shard_of(students, f"{k}/3") for k in range(3)]
    assert sorted(sum(shards, [])) == students
    with pytest.raises(ValueError, match="K/N"):
        shard_of(students, "3/3")


@pytest.mark.slow
def test_autograde_writes_one_row_per_student_and_resumes(tmp_path):
    submissions = _class_of(tmp_path)
    output = tmp_path / "out"
    (submissions / "no-notebook").mkdir()
    autograde(submissions, output, jobs=2, progress=False)
    rows = {row["student"]: row for row in _rows(output)}
    assert sorted(rows) == students_in(submissions)
    assert rows["perfect-0"]["total"] == "100" and rows["untouched-1"]["total"] == "0"
    assert rows["no-notebook"]["total"] == "0" and "no notebook found" in rows["no-notebook"]["notes"]
    assert (output / "feedback" / "partial-0" / paths.ASSIGNMENT / "feedback.md").is_file()
    stamps = {p.name: p.stat().st_mtime_ns for p in (output / "reports").glob("*.json")}
    autograde(submissions, output, jobs=2, progress=False)
    assert {p.name: p.stat().st_mtime_ns for p in (output / "reports").glob("*.json")} == stamps
    autograde(submissions, output, jobs=2, progress=False, force=True)
    assert all(p.stat().st_mtime_ns != stamps[p.name] for p in (output / "reports").glob("*.json"))


@pytest.mark.slow
def test_kill_9_mid_batch_then_rerun_loses_nothing_and_regrades_nothing(tmp_path):
    submissions = _class_of(tmp_path, copies=3)
    output = tmp_path / "out"
    command = [sys.executable, "-m", "grader", "autograde", str(submissions), "--output", str(output),
               "--jobs", "1", "--quiet"]
    # The killed grader cannot remove its scratch directory: keep it in tmp_path.
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True, env={**os.environ, "TMPDIR": str(scratch)})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list((output / "reports").glob("*.json"))) < 2:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    done_before = {p.name: p.stat().st_mtime_ns for p in (output / "reports").glob("*.json")}
    assert 2 <= len(done_before) < 9, "the kill should land mid-batch"
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = {p.name: p.stat().st_mtime_ns for p in (output / "reports").glob("*.json")}
    assert sorted(after) == sorted(f"{s}.json" for s in students_in(submissions))
    assert all(after[name] == stamp for name, stamp in done_before.items()), "finished work was graded again"
    rows = _rows(output)
    assert sorted(r["student"] for r in rows) == students_in(submissions)


@pytest.mark.slow
def test_shards_merge_into_the_same_grades(tmp_path):
    submissions = _class_of(tmp_path, copies=1)
    whole = tmp_path / "whole"
    autograde(submissions, whole, jobs=2, progress=False)
    shard_outputs = []
    for k in range(2):
        shard_outputs.append(tmp_path / f"shard{k}")
        autograde(submissions, shard_outputs[-1], jobs=1, progress=False, shard=f"{k}/2")
    merged = tmp_path / "merged"
    merge(shard_outputs, merged)
    assert _rows(merged) == _rows(whole)
    with pytest.raises(ValueError, match="appears in both"):
        merge([shard_outputs[0], shard_outputs[0]], tmp_path / "twice")


@pytest.mark.slow
def test_a_class_where_anything_can_be_in_a_folder_gets_one_row_each(tmp_path):
    """Odd names, links, a FIFO, malformed and deeply nested JSON, a 1100-deep
    tree, a committed .venv: one row each, a reason for every 0, exit 0."""
    import json

    import nbformat

    from grader.publish.fill import fill_release

    submissions = tmp_path / "class"
    good = nbformat.writes(fill_release())

    def student(name, relative=paths.NOTEBOOK_NAME, text=good):
        path = submissions / name / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    for name in ("bob smith", "josé", "_under", "@octocat <b>hi"):
        student(name)
    student("venv")
    (submissions / "venv" / ".venv" / "bin").mkdir(parents=True)
    os.symlink("/usr/bin/python3", submissions / "venv" / ".venv" / "bin" / "python")
    (submissions / "fifo").mkdir()
    os.mkfifo(submissions / "fifo" / paths.NOTEBOOK_NAME)
    (submissions / "zero").mkdir()
    os.symlink("/dev/zero", submissions / "zero" / paths.NOTEBOOK_NAME)
    (submissions / "source-link").mkdir()
    os.symlink(paths.SOURCE_NOTEBOOK, submissions / "source-link" / paths.NOTEBOOK_NAME)
    nb = json.loads(good)
    student("nbformat-string", text=json.dumps({**nb, "nbformat": "4"}))
    first_solution = next(i for i, c in enumerate(nb["cells"]) if c["metadata"].get("nbgrader", {}).get("solution"))
    cells = list(nb["cells"])
    cells[first_solution] = "a cell that is a string"
    student("cell-string", text=json.dumps({**nb, "cells": cells}))
    student("deep-json", text='{"cells": ' + "[" * 100000 + "]" * 100000 + "}")
    deep = deep_tree(submissions / "deep-tree")
    (submissions / "empty").mkdir()
    (submissions / "@nobody <i>x").mkdir()  # no notebook: listed in the summary, escaped
    (submissions / "example_perfect").mkdir()  # a bundled example: not a student of the class
    output = tmp_path / "out"
    expected = sorted(p.name for p in submissions.iterdir() if p.name != "example_perfect")
    try:
        run = subprocess.run([sys.executable, "-m", "grader", "autograde", str(submissions), "--output", str(output),
                              "--jobs", "2", "--quiet"], capture_output=True, text=True, timeout=600)
    finally:
        remove_deep_tree(deep)
    assert run.returncode == 0, run.stderr[-2000:]
    rows = {row["student"]: row for row in _rows(output)}
    assert sorted(rows) == expected
    for name in ("bob smith", "josé", "_under", "@octocat <b>hi", "venv"):
        assert rows[name]["total"] == "100", (name, rows[name]["notes"])
    reasons = {"fifo": "not a regular file", "zero": "symbolic link", "source-link": "symbolic link",
               "nbformat-string": "nbformat", "deep-json": "could not be read", "deep-tree": "no notebook found",
               "empty": "no notebook found"}
    for name, reason in reasons.items():
        assert rows[name]["total"] == "0" and reason in rows[name]["notes"], (name, rows[name]["notes"])
    assert float(rows["cell-string"]["total"]) < 100
    summary = (output / "summary.md").read_text()
    assert "<i>" not in summary and "@nobody" not in summary and "@\u200bnobody &lt;i&gt;x" in summary


def test_a_grader_failure_is_a_zero_with_the_reason_never_reused(tmp_path, monkeypatch):
    """One submission on which the grader itself fails gets a row (0, reason),
    is graded again on the next run, and makes the command exit 1 naming it."""
    from grader.classroom import autograde as bulk
    from grader.grading import grade
    from grader.cli import main

    submissions = tmp_path / "class"
    (submissions / "alice").mkdir(parents=True)
    (submissions / "alice" / paths.NOTEBOOK_NAME).write_text("{}")

    def broken(path, **options):
        raise RuntimeError("the grading child never said it was ready")

    monkeypatch.setattr(grade, "grade_notebook", broken)
    _, report, graded_now = bulk.grade_student(submissions, tmp_path / "out", "alice", force=False)
    assert graded_now and report["score"] == 0 and "never said it was ready" in report["grader_error"]
    assert "the grader failed on this submission" in report["notices"][0]
    assert not bulk.up_to_date(report, report["submission_sha256"])
    assert bulk.grade_student(submissions, tmp_path / "out", "alice", force=False)[2], "a failure is graded again"

    def batch(*arguments, counts, **options):
        counts.update(graded=1, reused=0)
        return {"alice": report}

    monkeypatch.setattr(bulk, "autograde", batch)
    assert main(["autograde", str(submissions), "--output", str(tmp_path / "out"), "--quiet"]) == 1


def test_a_report_is_reused_only_for_the_same_notebook_and_grader():
    from grader.classroom.autograde import grading_version, up_to_date

    report = {"submission_sha256": "abc", "grading_version": grading_version()}
    assert up_to_date(report, "abc")
    assert not up_to_date(report, "abd")
    assert not up_to_date({**report, "grading_version": "an older suite"}, "abc")
    assert not up_to_date(None, "abc")


@pytest.mark.slow
def test_one_student_is_graded_again_on_request(tmp_path):
    submissions = _class_of(tmp_path, copies=1)
    output = tmp_path / "out"
    autograde(submissions, output, jobs=2, progress=False)
    stamps = {p.name: p.stat().st_mtime_ns for p in (output / "reports").glob("*.json")}
    counts = {}
    reports = autograde(submissions, output, jobs=2, progress=False, students=["partial-0"], counts=counts)
    assert list(reports) == ["partial-0"] and counts == {"graded": 1, "reused": 0}
    after = {p.name: p.stat().st_mtime_ns for p in (output / "reports").glob("*.json")}
    assert [name for name in after if after[name] != stamps[name]] == ["partial-0.json"]
    assert len(_rows(output)) == 3
    with pytest.raises(ValueError, match="no folder 'nobody'"):
        autograde(submissions, output, progress=False, students=["nobody"])
