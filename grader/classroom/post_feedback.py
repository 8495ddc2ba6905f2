"""Open a feedback issue in each student's repository: ``python -m grader post-feedback``.

    python -m grader post-feedback [--output autograded/] (--org ORG --prefix PREFIX | --repos FILE)
                                   [--dry-run]

For each report ``OUTPUT/reports/<student>.json`` it runs

    gh issue create --repo OWNER/REPO --title "Autograding feedback: 05_dataloader (SCORE / MAX)"
                    --body-file OUTPUT/feedback/<student>/05_dataloader/feedback.md

The repository is ``ORG/PREFIX-<student>`` with ``--org``/``--prefix``; with
``--repos FILE`` it is the entry of FILE whose student id is ``<student>``
(read as ``python -m grader collect`` reads it).  The executable is env
``GH`` (default ``gh``); it authenticates with ``GH_TOKEN``, which must be
allowed to write issues in the student repositories.  ``--dry-run`` prints
the commands instead of running them.  Every run opens new issues: post once
per grading.  Left out, with a line saying so: the bundled ``example_*``
reports (unless ``--include-examples``), reports of a grader failure or of a
repository that was not collected, and, with ``--org``/``--prefix``, student
names that cannot be part of a repository name.

Errors: ``ValueError`` for missing inputs, an OUTPUT without reports, or a
student without a repository in ``--repos``.  A ``gh`` call that fails (or a
missing feedback file) is reported, the other students still get theirs, and
the command exits 1.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

from grader import paths
from grader.classroom.autograde import STUDENT_ID
from grader.classroom.collect import Repo, check_name, read_repos
from grader.classroom.student_folders import is_example
from grader.limits import GH_TIMEOUT_SECONDS


def issue_title(report: dict) -> str:
    return f"Autograding feedback: {paths.ASSIGNMENT} ({report['score']:g} / {report['max_score']:g})"


def repositories(students: list[str], org: str | None, prefix: str | None,
                 repos_file: str | None) -> dict[str, str]:
    """student -> ``owner/name`` of the repository the issue goes to.

    Raises:
        ValueError: if inputs are missing or a student has no repository in ``repos_file``.
    """
    if repos_file:
        listed: dict[str, Repo] = {repo.student: repo for repo in read_repos(repos_file, org, prefix)}
        unknown = [s for s in students if s not in listed or not listed[s].owner]
        if unknown:
            raise ValueError(f"--repos {repos_file} has no owner/name for student(s) {', '.join(unknown)} "
                             "(bare names need --org)")
        return {s: listed[s].full_name for s in students}
    if not org or not prefix:
        raise ValueError("give --org ORG --prefix PREFIX or --repos FILE to say where the issues go")
    check_name(org, "--org")
    check_name(prefix, "--prefix")
    return {s: f"{org}/{prefix}-{s}" for s in students}


def left_out(reports: dict[str, dict], include_examples: bool, by_name: bool) -> dict[str, str]:
    """student -> why no issue is posted for this report."""
    why = {}
    for student, report in reports.items():
        if is_example(student) and not include_examples:
            why[student] = "a bundled example (--include-examples posts it)"
        elif report.get("grader_error"):
            why[student] = "the grader failed on this submission: grade it again first"
        elif report.get("not_collected"):
            why[student] = "the repository was not collected"
        elif by_name and not STUDENT_ID.match(student):
            why[student] = "the name cannot be part of a repository name (use --repos)"
    return why


def post_feedback(output: Path, org: str | None = None, prefix: str | None = None,
                  repos_file: str | None = None, dry_run: bool = False, include_examples: bool = False) -> list[str]:
    """Open (or with ``dry_run`` print) one issue per report; return the
    students whose issue could not be opened."""
    reports = {}
    for path in sorted((Path(output) / "reports").glob("*.json")):
        report = json.loads(path.read_text(encoding="utf-8"))
        reports[report.get("student", path.stem)] = report
    if not reports:
        raise ValueError(f"--output {output} has no reports/*.json: run `python -m grader autograde` first")
    for student, why in left_out(reports, include_examples, by_name=not repos_file).items():
        print(f"left out: {student}: {why}")
        del reports[student]
    targets = repositories(sorted(reports), org, prefix, repos_file)
    gh = os.environ.get("GH", "gh")
    failed = []
    for student, report in sorted(reports.items()):
        body = Path(output) / "feedback" / student / paths.ASSIGNMENT / "feedback.md"
        command = [gh, "issue", "create", "--repo", targets[student], "--title", issue_title(report),
                   "--body-file", str(body)]
        if not body.is_file():
            print(f"grader post-feedback: {student}: no feedback file {body}", file=sys.stderr)
            failed.append(student)
            continue
        if dry_run:
            print(f"would run: {shlex.join(command)}")
            continue
        try:
            result = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                                    timeout=GH_TIMEOUT_SECONDS)
        except (OSError, subprocess.TimeoutExpired) as error:
            result = subprocess.CompletedProcess(command, 1, "", f"{gh}: {error}")
        if result.returncode == 0:
            print(f"{student}: {result.stdout.strip() or 'issue opened'}")
        else:
            print(f"grader post-feedback: {student}: {gh} issue create --repo {targets[student]} failed: "
                  f"{' '.join(result.stderr.split())}", file=sys.stderr)
            failed.append(student)
    return failed
