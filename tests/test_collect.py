"""Instructor autograding: `grader collect` takes each student repository at the
deadline, `grader post-feedback` opens the feedback issues, `grader shards`
feeds the workflow's job matrix.  Local bare repositories stand in for GitHub
and a fake `gh` (env GH) records its calls."""

import csv
import json
import os
import shutil
import subprocess
import sys
from datetime import datetime

import pytest
import yaml

from grader import paths
from grader.cli import build_parser, main

DEADLINE = "2026-12-01T23:59:00Z"
EXAMPLES = {name: paths.SUBMITTED_DIR / f"example_{name}" / paths.ASSIGNMENT / paths.NOTEBOOK_NAME
            for name in ("perfect", "partial", "untouched")}
GIT_ENV = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "Student", "GIT_AUTHOR_EMAIL": "student@example.org",
           "GIT_COMMITTER_NAME": "Student", "GIT_COMMITTER_EMAIL": "student@example.org"}
# student -> commits (committer date, example notebook at the repository root)
CLASS = {
    "alice": [("2026-11-20T10:00:00Z", "partial"), (DEADLINE, "perfect"), ("2026-12-02T09:00:00Z", "untouched")],
    "bob": [("2026-11-25T12:00:00+01:00", "partial"), ("2026-12-02T00:59:01+01:00", "perfect")],  # 1 s late
    "carol": [("2026-12-03T08:00:00Z", "perfect")],
    "dave": [("2026-11-30T18:00:00Z", "untouched")],
}
FAKE_GH = """#!{python}
import json, os, sys
arguments = sys.argv[1:]
body = arguments[arguments.index("--body-file") + 1] if "--body-file" in arguments else None
with open(os.environ["FAKE_GH_LOG"], "a") as log:
    log.write(json.dumps({{"argv": arguments, "body": body and open(body).read()}}) + "\\n")
if os.environ.get("FAKE_GH_FAIL") and os.environ["FAKE_GH_FAIL"] in arguments:
    sys.exit("HTTP 410: Issues are disabled for this repo")
if arguments[:1] == ["api"]:
    print(os.environ.get("FAKE_GH_REPOS", ""))
elif arguments[:2] == ["issue", "create"]:
    print("https://github.com/" + arguments[arguments.index("--repo") + 1] + "/issues/1")
"""


def _git(cwd, *args, date=None):
    env = {**GIT_ENV, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else GIT_ENV
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def _remote(tmp_path, name, commits):
    """A bare repository remotes/<name>.git, one commit per (date, example); return the shas."""
    work = tmp_path / "work" / name
    (work / "notes").mkdir(parents=True)
    _git(work, "init", "-q", "-b", "main")
    shas = []
    for date, example in commits:
        shutil.copy(EXAMPLES[example], work / paths.NOTEBOOK_NAME)
        (work / "notes" / "log.txt").write_text(f"{example} at {date}\n")
        _git(work, "add", "-A")
        _git(work, "commit", "-q", "-m", f"{example} at {date}", date=date)
        shas.append(_git(work, "rev-parse", "HEAD").strip())
    _git(tmp_path, "clone", "-q", "--bare", str(work), str(tmp_path / "remotes" / f"{name}.git"))
    return shas


def _grader(*args, env=None):
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], capture_output=True, text=True,
                          cwd=paths.ROOT, env=env)


def _record(dest, student):
    return json.loads((dest / student / ".submission.json").read_text())


def _fake_gh(tmp_path, **env):
    script = tmp_path / "fake-gh"
    script.write_text(FAKE_GH.format(python=sys.executable))
    script.chmod(0o755)
    log = tmp_path / "gh-calls.jsonl"
    return log, {**os.environ, "GH": str(script), "FAKE_GH_LOG": str(log), **env}


def _calls(log):
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


@pytest.mark.slow
def test_collect_takes_the_last_commit_before_the_deadline_then_autograde_grades_it(tmp_path):
    shas = {student: _remote(tmp_path, f"course-{student}", commits) for student, commits in CLASS.items()}
    repos = tmp_path / "repos.txt"
    repos.write_text("# the class\ncourse-alice\nsomeone/course-bob, course-carol\n\ncourse-dave\n")
    dest = tmp_path / "submitted"
    collect = ["collect", "--repos", repos, "--prefix", "course", "--dest", dest,
               "--url-template", f"file://{tmp_path}/remotes/{{repo}}.git"]

    result = _grader(*collect, "--deadline", DEADLINE)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in dest.iterdir()) == [".collect.json", "alice", "bob", "carol", "dave"]  # no temp folders
    expected = {"alice": (1, "perfect"), "bob": (0, "partial"), "dave": (0, "untouched")}
    for student, (index, example) in expected.items():
        assert (dest / student / paths.NOTEBOOK_NAME).read_bytes() == EXAMPLES[example].read_bytes()
        assert (dest / student / "notes" / "log.txt").is_file() and not (dest / student / ".git").exists()
        record = _record(dest, student)
        assert record["commit"] == shas[student][index] and record["deadline"] == DEADLINE
        assert datetime.fromisoformat(record["commit_date"]) == datetime.fromisoformat(CLASS[student][index][0])
    assert _record(dest, "bob")["repo"] == "someone/course-bob" and _record(dest, "alice")["repo"] == "course-alice"
    assert [p.name for p in (dest / "carol").iterdir()] == [".submission.json"]
    assert _record(dest, "carol")["commit"] is None and "no commit" in _record(dest, "carol")["note"]

    stamps = {s: (dest / s / ".submission.json").stat().st_mtime_ns for s in CLASS}
    again = _grader(*collect, "--deadline", DEADLINE)
    assert again.returncode == 0 and again.stdout.count("unchanged") == 4, again.stdout + again.stderr
    assert {s: (dest / s / ".submission.json").stat().st_mtime_ns for s in CLASS} == stamps

    output = tmp_path / "autograded"
    graded = _grader("autograde", dest, "--output", output, "--jobs", "4", "--quiet")
    assert graded.returncode == 0, graded.stderr
    with open(output / "grades.csv", newline="") as stream:
        rows = {row["student"]: row for row in csv.DictReader(stream)}
    assert {s: rows[s]["total"] for s in rows} == {"alice": "100", "bob": "87", "carol": "0", "dave": "0"}
    assert "no notebook found" in rows["carol"]["notes"] and "no notebook" not in rows["dave"]["notes"]

    latest = _grader(*collect)  # no deadline: the latest commit; only changed students are replaced
    assert latest.returncode == 0, latest.stderr
    assert (dest / "alice" / paths.NOTEBOOK_NAME).read_bytes() == EXAMPLES["untouched"].read_bytes()
    assert {s: _record(dest, s)["commit"] for s in CLASS} == {s: shas[s][-1] for s in CLASS}
    assert (dest / "dave" / ".submission.json").stat().st_mtime_ns == stamps["dave"]
    assert (dest / "carol" / ".submission.json").stat().st_mtime_ns != stamps["carol"]


def test_collect_lists_the_organization_with_gh_and_reports_a_repository_it_cannot_clone(tmp_path):
    _remote(tmp_path, "course-alice", CLASS["alice"])
    _remote(tmp_path, "course-bob", CLASS["bob"])
    log, env = _fake_gh(tmp_path, FAKE_GH_REPOS="course-alice\ncourse\nother-project\ncourse-bob\ncourse-ghost")
    dest = tmp_path / "submitted"
    result = _grader("collect", "--org", "my-class", "--prefix", "course", "--dest", dest,
                     "--url-template", f"file://{tmp_path}/remotes/{{repo}}.git", env=env)
    assert [call["argv"] for call in _calls(log)] == [["api", "--paginate", "orgs/my-class/repos",
                                                       "--jq", ".[].name"]]
    assert result.returncode == 0 and "not collected: ghost" in result.stderr and "my-class/course-ghost" in result.stderr
    assert sorted(p.name for p in dest.iterdir()) == [".collect.json", "alice", "bob", "ghost"]
    assert _record(dest, "bob")["repo"] == "my-class/course-bob"
    assert (dest / "bob" / paths.NOTEBOOK_NAME).read_bytes() == EXAMPLES["perfect"].read_bytes()
    report = json.loads((dest / ".collect.json").read_text())
    assert sorted(report["collected"]) == ["alice", "bob"] and "my-class/course-ghost" in report["not_collected"]["ghost"]
    assert "course-ghost" in _record(dest, "ghost")["not_collected"]
    output = tmp_path / "autograded"
    graded = _grader("autograde", dest, "--output", output, "--jobs", "2", "--quiet")
    assert graded.returncode == 0, graded.stderr
    with open(output / "grades.csv", newline="") as stream:
        rows = {row["student"]: row for row in csv.DictReader(stream)}
    assert sorted(rows) == ["alice", "bob", "ghost"]
    assert rows["ghost"]["total"] == "0" and rows["ghost"]["notes"].startswith("not collected: my-class/course-ghost")
    assert "## Not collected (1)" in (output / "summary.md").read_text()


def test_links_in_a_repository_are_left_out_not_fatal(tmp_path):
    """A committed .venv (links to the system's python) and links out of the repository."""
    work = tmp_path / "work" / "course-erin"
    (work / ".venv" / "bin").mkdir(parents=True)
    _git(work, "init", "-q", "-b", "main")
    shutil.copy(EXAMPLES["perfect"], work / paths.NOTEBOOK_NAME)
    os.symlink("/usr/bin/python3", work / ".venv" / "bin" / "python")
    os.symlink("../../../../etc/passwd", work / "escape")
    os.symlink(paths.NOTEBOOK_NAME, work / "alias.ipynb")
    _git(work, "add", "-A")
    _git(work, "commit", "-q", "-m", "work", date=DEADLINE)
    _git(tmp_path, "clone", "-q", "--bare", str(work), str(tmp_path / "remotes" / "course-erin.git"))
    (tmp_path / "repos.txt").write_text("course-erin\n")
    dest = tmp_path / "submitted"
    result = _grader("collect", "--repos", tmp_path / "repos.txt", "--prefix", "course", "--dest", dest,
                     "--url-template", f"file://{tmp_path}/remotes/{{repo}}.git")
    assert result.returncode == 0, result.stderr
    assert (dest / "erin" / paths.NOTEBOOK_NAME).read_bytes() == EXAMPLES["perfect"].read_bytes()
    assert not any(p.is_symlink() for p in (dest / "erin").rglob("*"))
    assert _record(dest, "erin")["links_left_out"] == 3


def test_collect_never_replaces_a_folder_it_did_not_write(tmp_path):
    _remote(tmp_path, "course-alice", CLASS["alice"])
    (tmp_path / "repos.txt").write_text("course-alice\n")
    (tmp_path / "submitted" / "alice").mkdir(parents=True)
    (tmp_path / "submitted" / "alice" / "mine.txt").write_text("hand-made")
    result = _grader("collect", "--repos", tmp_path / "repos.txt", "--prefix", "course", "--dest",
                     tmp_path / "submitted", "--url-template", f"file://{tmp_path}/remotes/{{repo}}.git")
    assert result.returncode == 1 and "not written by collect" in result.stderr
    assert [p.name for p in (tmp_path / "submitted" / "alice").iterdir()] == ["mine.txt"]


@pytest.mark.parametrize("arguments, message", [
    (["--deadline", "2026-13-01T23:59:00Z"], "--deadline should be an ISO 8601 date and time such as "
                                             "2026-12-01T23:59:00Z, got '2026-13-01T23:59:00Z'"),
    (["--deadline", "2026-12-01T23:59:00"], "--deadline needs a time zone (Z or +HH:MM), got '2026-12-01T23:59:00'"),
    ([], "give --org ORG --prefix PREFIX or --repos FILE (missing --org ORG --prefix PREFIX)"),
    (["--org", "my-class"], "(missing --prefix PREFIX)"),
    (["--org", "my class", "--prefix", "course"], "--org should be a GitHub name"),
    (["--repos", "no-such-file.txt"], "--repos no-such-file.txt: cannot read it"),
    (["--repos", "REPOS", "--url-template", "file:///srv/git/{name}.git"], "--url-template may use only"),
    (["--repos", "REPOS"], "repository 'course-alice' has no owner for --url-template"),
])
def test_collect_errors_name_the_argument_and_its_value(tmp_path, capsys, arguments, message):
    (tmp_path / "repos.txt").write_text("course-alice\n")
    arguments = [str(tmp_path / "repos.txt") if a == "REPOS" else a for a in arguments]
    assert main(["collect", "--dest", str(tmp_path / "out"), *arguments]) == 2
    assert message in capsys.readouterr().err


def test_a_bad_repos_line_is_named(tmp_path, capsys):
    (tmp_path / "repos.txt").write_text("course-alice\nhttps://github.com/a/course-bob\n")
    assert main(["collect", "--repos", str(tmp_path / "repos.txt"), "--org", "x"]) == 2
    assert f"--repos {tmp_path / 'repos.txt'} line 2 ('https://github.com/a/course-bob')" in capsys.readouterr().err


def test_collect_without_gh_says_so(tmp_path):
    result = _grader("collect", "--org", "my-class", "--prefix", "course", "--dest", tmp_path,
                     env={**os.environ, "GH": str(tmp_path / "no-gh")})
    assert result.returncode == 2 and "the GitHub CLI" in result.stderr and "was not found" in result.stderr


def _graded_output(tmp_path, others=()):
    """Reports and feedback of alice (89) and bob (100), and of ``others`` (name, extra report fields)."""
    output = tmp_path / "autograded"
    for student, score, *extra in (("alice", 89.0), ("bob", 100.0), *((n, 0.0, e) for n, e in others)):
        report = {"student": student, "score": score, "max_score": 100.0, "parts": [], "notices": [],
                  **(extra[0] if extra else {})}
        (output / "reports").mkdir(parents=True, exist_ok=True)
        (output / "reports" / f"{student}.json").write_text(json.dumps(report))
        feedback = output / "feedback" / student / paths.ASSIGNMENT / "feedback.md"
        feedback.parent.mkdir(parents=True)
        feedback.write_text(f"# feedback for {student}\n")
    return output


def test_post_feedback_opens_one_issue_per_student(tmp_path):
    output = _graded_output(tmp_path, [("example_perfect", {}), ("carol", {"grader_error": "RuntimeError: x"}),
                                       ("dave", {"not_collected": "my-class/course-dave: clone failed"}),
                                       ("erin smith", {})])
    log, env = _fake_gh(tmp_path)
    result = _grader("post-feedback", "--output", output, "--org", "my-class", "--prefix", "course", env=env)
    assert result.returncode == 0, result.stderr
    assert "left out: example_perfect: a bundled example" in result.stdout
    assert "left out: carol: the grader failed" in result.stdout and "left out: dave: the repository was not" \
        in result.stdout and "left out: erin smith: the name cannot be part of a repository name" in result.stdout
    feedback = output / "feedback" / "{}" / paths.ASSIGNMENT / "feedback.md"
    assert _calls(log) == [
        {"argv": ["issue", "create", "--repo", "my-class/course-alice",
                  "--title", "Autograding feedback: 05_dataloader (89 / 100)",
                  "--body-file", str(feedback).format("alice")], "body": "# feedback for alice\n"},
        {"argv": ["issue", "create", "--repo", "my-class/course-bob",
                  "--title", "Autograding feedback: 05_dataloader (100 / 100)",
                  "--body-file", str(feedback).format("bob")], "body": "# feedback for bob\n"}]
    assert "https://github.com/my-class/course-bob/issues/1" in result.stdout


def test_post_feedback_dry_run_repos_file_and_a_failing_repository(tmp_path):
    output = _graded_output(tmp_path)
    repos = tmp_path / "repos.txt"
    repos.write_text("someone/course-bob\ncourse-alice\n")
    log, env = _fake_gh(tmp_path, FAKE_GH_FAIL="someone/course-bob")
    base = ["post-feedback", "--output", output, "--repos", repos, "--org", "my-class", "--prefix", "course"]
    dry = _grader(*base, "--dry-run", env=env)
    assert dry.returncode == 0 and _calls(log) == []
    assert dry.stdout.count("would run: ") == 2 and "--repo someone/course-bob" in dry.stdout
    assert "'Autograding feedback: 05_dataloader (89 / 100)'" in dry.stdout
    posted = _grader(*base, env=env)
    assert posted.returncode == 1 and "bob" in posted.stderr and "Issues are disabled" in posted.stderr
    assert [call["argv"][3] for call in _calls(log)] == ["my-class/course-alice", "someone/course-bob"]
    unknown = _grader("post-feedback", "--output", output, "--repos", repos, env=env)
    assert unknown.returncode == 2 and "no owner/name for student(s) alice" in unknown.stderr


def test_post_feedback_needs_reports_and_a_destination(tmp_path, capsys):
    assert main(["post-feedback", "--output", str(tmp_path), "--org", "x", "--prefix", "y"]) == 2
    assert f"--output {tmp_path} has no reports/*.json" in capsys.readouterr().err
    output = _graded_output(tmp_path)
    assert main(["post-feedback", "--output", str(output)]) == 2
    assert "give --org ORG --prefix PREFIX or --repos FILE" in capsys.readouterr().err


def test_shards_prints_the_job_matrix():
    result = _grader("shards", "3")
    assert result.returncode == 0 and result.stdout == "[0, 1, 2]\n" and json.loads(result.stdout) == [0, 1, 2]
    assert _grader("shards", "0").returncode == 2


def test_the_workflow_runs_only_grader_commands_and_keeps_secrets_from_student_code():
    workflow = yaml.safe_load((paths.ROOT / ".github" / "workflows" / "autograde.yml").read_text())
    commands = set(build_parser()._subparsers._group_actions[0].choices)
    runs = [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]
    used = {line.split("python -m grader ")[1].split()[0] for run in runs for line in run.splitlines()
            if "python -m grader " in line}
    assert used == {"shards", "collect", "autograde", "merge", "post-feedback"} and used <= commands
    assert "secrets." not in json.dumps(workflow["jobs"]["grade"])
    assert workflow["permissions"] == {"contents": "read"}
    assert not any("permissions" in job for job in workflow["jobs"].values())
