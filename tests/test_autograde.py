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
from grader.autograde import autograde, find_notebook, merge, shard_of, students_in

EXAMPLES = ["example_partial", "example_perfect", "example_untouched"]


def _class_of(tmp_path, copies=2):
    """A submissions folder with `copies` students per bundled example."""
    submissions = tmp_path / "submitted"
    for example in EXAMPLES:
        for index in range(copies):
            shutil.copytree(paths.SUBMITTED_DIR / example, submissions / f"{example}-{index}")
    return submissions


def _rows(output):
    with open(output / "grades.csv", newline="") as stream:
        return list(csv.DictReader(stream))


def test_notebook_is_found_in_each_layout(tmp_path):
    nbgrader_style = tmp_path / "a" / paths.ASSIGNMENT / paths.NOTEBOOK_NAME
    classroom_style = tmp_path / "b" / paths.NOTEBOOK_NAME
    renamed = tmp_path / "c" / "my work.ipynb"
    for path in (nbgrader_style, classroom_style, renamed):
        path.parent.mkdir(parents=True)
        path.write_text("{}")
    (tmp_path / "d").mkdir()
    assert find_notebook(tmp_path / "a") == nbgrader_style
    assert find_notebook(tmp_path / "b") == classroom_style
    assert find_notebook(tmp_path / "c") == renamed
    assert find_notebook(tmp_path / "d") is None


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
    assert rows["example_perfect-0"]["total"] == "100" and rows["example_untouched-1"]["total"] == "0"
    assert rows["no-notebook"]["total"] == "0" and "no notebook found" in rows["no-notebook"]["notes"]
    assert (output / "feedback" / "example_partial-0" / paths.ASSIGNMENT / "feedback.md").is_file()
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
