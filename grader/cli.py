"""``python -m grader COMMAND``: the course pipeline from the command line.

Every command is registered here, once, with ``@command(name, help, *arguments)``
on the function that runs it; ``python -m grader --help`` lists them all, in the
order of the pipeline.  A command returns its exit status; a ``FileNotFoundError``,
``ValueError`` or ``RuntimeError`` it raises is printed as one line and exits 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from grader import paths
from grader.classroom.collect import DEFAULT_URL_TEMPLATE
from grader.limits import MAX_SHARDS, NOTEBOOK_SECONDS


@dataclass(frozen=True)
class Command:
    """A sub-command: its name, one-line help, argparse arguments and the function that runs it."""

    name: str
    help: str
    run: Callable[[argparse.Namespace], int]
    arguments: tuple[tuple[tuple[str, ...], dict], ...]


COMMANDS: dict[str, Command] = {}


def arg(*flags: str, **options) -> tuple[tuple[str, ...], dict]:
    """One argument of a command, as ``ArgumentParser.add_argument`` takes it."""
    return flags, options


def command(name: str, help: str, *arguments: tuple[tuple[str, ...], dict]):
    """Register the decorated function as the command ``name``.

    Raises:
        ValueError: if a command of that name is already registered.
    """
    def register(function: Callable[[argparse.Namespace], int]):
        if name in COMMANDS:
            raise ValueError(f"the command {name!r} is registered twice")
        COMMANDS[name] = Command(name, help, function, arguments)
        return function
    return register


UNSANDBOXED = arg("--unsandboxed", action="store_true",
                  help="grade even where bubblewrap cannot run, without isolation: only for code you trust "
                       "(default: refuse and say how to install bubblewrap)")
ORG = arg("--org", help="GitHub organization of the student repositories")
PREFIX = arg("--prefix", help="assignment prefix: repositories are PREFIX-USERNAME")


@command("release", "regenerate the student release with nbgrader (then scan it for leaks)")
def _release(arguments) -> int:
    from grader.publish.leaks import find_leaks, hidden_suite_files
    from grader.publish.release import generate_release

    release_dir = generate_release()
    leaks = find_leaks(release_dir, paths.SOURCE_NOTEBOOK, hidden_suite_files())
    if leaks:
        print(f"release {release_dir} leaks instructor content:", file=sys.stderr)
        for leak in leaks:
            print(f"  {leak}", file=sys.stderr)
        return 1
    print(f"wrote {release_dir.relative_to(paths.ROOT)} (no solution or hidden-test text found)")
    return 0


@command("export", "export a notebook's library code as a module",
         arg("--notebook", default=str(paths.SOURCE_NOTEBOOK), help="notebook to export (default: the source notebook)"),
         arg("--output", default=str(paths.LIBRARY_MODULE), help="module to write (default: tinytorch/core/dataloader.py)"),
         arg("--check", action="store_true", help="only check that the module is up to date; exit 1 if not"))
def _export(arguments) -> int:
    from grader.publish.export import export, library_source

    notebook = Path(arguments.notebook)
    output = Path(arguments.output)
    try:
        origin = str(notebook.resolve().relative_to(paths.ROOT))
    except ValueError:
        origin = notebook.name
    if arguments.check:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current != library_source(notebook, origin):
            print(f"{output} is out of date with {notebook}: run `python -m grader export`",
                  file=sys.stderr)
            return 1
        print(f"{output} is up to date with {notebook}")
        return 0
    changed = export(notebook, output, origin)
    print(f"{'wrote' if changed else 'unchanged:'} {output}")
    return 0


@command("examples", "rewrite the bundled example submissions in submitted/ from the release")
def _examples(arguments) -> int:
    from grader.publish.examples import write_examples

    for path in write_examples():
        print(f"wrote {path}")
    return 0


@command("rules", "print the rule table (rules, tests enforcing them, points)")
def _rules(arguments) -> int:
    from grader.grading import suite
    from grader.rules import load_rules, table

    print(table(load_rules(), {test.name: test.points for test in suite.collect()}))
    return 0


@command("grade", "grade one notebook with the hidden suite",
         arg("notebook", help="the submitted notebook (.ipynb)"),
         arg("--json", metavar="OUT.json", help="also write the report as JSON"),
         arg("--timeout", type=float, default=float(NOTEBOOK_SECONDS),
             help=f"seconds allowed for the whole notebook (default {NOTEBOOK_SECONDS})"),
         UNSANDBOXED)
def _grade(arguments) -> int:
    from grader.grading.grade import grade_notebook
    from grader.grading.report import format_report, write_json

    report = grade_notebook(Path(arguments.notebook), timeout=arguments.timeout, unsandboxed=arguments.unsandboxed)
    print(format_report(report))
    if arguments.json:
        write_json(report, Path(arguments.json))
    return 0


@command("demo", "the main job: release, grade the examples, figures")
def _demo(arguments) -> int:
    from grader.demo import run_demo

    return run_demo()


@command("collect", "gather student repositories at a deadline", ORG, PREFIX,
         arg("--repos", metavar="FILE", help="file of owner/name or name, one a line (overrides the listing)"),
         arg("--deadline", help="ISO 8601 with time zone, e.g. 2026-12-01T23:59:00Z (default: latest commit)"),
         arg("--dest", default=str(paths.SUBMITTED_DIR), help="submissions folder (default submitted/)"),
         arg("--url-template", default=DEFAULT_URL_TEMPLATE,
             help="clone URL with {owner} and {repo} (default https://github.com/{owner}/{repo}.git)"),
         arg("--jobs", type=int, default=4, help="repositories cloned at once (default 4)"))
def _collect(arguments) -> int:
    """0 if any repository was collected (those that were not are listed on
    stderr and in DEST/.collect.json), else 1."""
    from grader.classroom.collect import collect, parse_deadline, select_repos

    deadline = parse_deadline(arguments.deadline)
    repos = select_repos(arguments.org, arguments.prefix, arguments.repos)
    results = collect(repos, Path(arguments.dest), deadline, arguments.url_template, arguments.jobs)
    failed = sorted(s for s, (ok, _) in results.items() if not ok)
    for student, (succeeded, message) in sorted(results.items()):
        if succeeded:
            print(f"{student}: {message}")
    print(f"collected {len(results) - len(failed)} of {len(results)} repositories into {arguments.dest}")
    for student in failed:
        print(f"grader collect: not collected: {student}: {results[student][1]}", file=sys.stderr)
    return 1 if failed and len(failed) == len(results) else 0


@command("autograde", "grade a folder of submissions in parallel (resumable)",
         arg("submissions", help="folder with one sub-folder per student (e.g. submitted/)"),
         arg("--output", default=str(paths.AUTOGRADED_DIR),
             help="where reports, feedback, grades.csv and summary.md go (default autograded/)"),
         arg("--jobs", type=int, default=2, help="submissions graded at once (default 2)"),
         arg("--force", action="store_true", help="grade again even if a report is up to date"),
         arg("--shard", metavar="K/N", help="grade only every N-th student starting at K"),
         arg("--quiet", action="store_true", help="no progress bar"),
         UNSANDBOXED,
         arg("--student", action="append", metavar="NAME", help="grade only this student's folder, again (repeatable)"),
         arg("--include-examples", action="store_true",
             help="also grade the bundled example_* folders (left out of a class by default)"))
def _autograde(arguments) -> int:
    from grader.classroom.autograde import autograde

    counts: dict = {}
    reports = autograde(Path(arguments.submissions), Path(arguments.output), jobs=arguments.jobs,
                        force=arguments.force, shard=arguments.shard, progress=not arguments.quiet,
                        unsandboxed=arguments.unsandboxed, students=arguments.student,
                        include_examples=arguments.include_examples, counts=counts)
    print(f"{len(reports)} submissions: {counts['graded']} graded now, {counts['reused']} already graded by "
          f"this grader and unchanged; grades: {Path(arguments.output) / 'grades.csv'}, "
          f"summary: {Path(arguments.output) / 'summary.md'}")
    failed = sorted(student for student, report in reports.items() if report.get("grader_error"))
    if failed:
        print(f"the grader itself failed on {len(failed)} submission(s), graded 0 for now; rerun to grade them: "
              + "; ".join(f"{student}: {reports[student]['grader_error']}" for student in failed[:10]),
              file=sys.stderr)
        return 1
    return 0


@command("shards", "print [0, 1, ..., N-1] for a workflow's shard matrix",
         arg("count", metavar="N", type=int, help=f"number of shards (1 to {MAX_SHARDS})"))
def _shards(arguments) -> int:
    if not 1 <= arguments.count <= MAX_SHARDS:
        raise ValueError(f"N should be between 1 and {MAX_SHARDS} (GitHub's job matrix limit), got {arguments.count}")
    print(json.dumps(list(range(arguments.count))))
    return 0


@command("merge", "merge the outputs of several autograde shards",
         arg("shards", nargs="+", help="output folders of the shards"),
         arg("--output", default=str(paths.AUTOGRADED_DIR), help="merged output (default autograded/)"))
def _merge(arguments) -> int:
    from grader.classroom.autograde import merge

    reports = merge([Path(p) for p in arguments.shards], Path(arguments.output))
    print(f"merged {len(reports)} reports into {arguments.output}")
    return 0


@command("post-feedback", "open a feedback issue in each student repository",
         arg("--output", default=str(paths.AUTOGRADED_DIR),
             help="autograde output with reports/ and feedback/ (default autograded/)"),
         ORG, PREFIX,
         arg("--repos", metavar="FILE", help="file of owner/name or name, one a line (as for collect)"),
         arg("--dry-run", action="store_true", help="print the gh commands instead of running them"),
         arg("--include-examples", action="store_true", help="also post the bundled example_* reports"))
def _post_feedback(arguments) -> int:
    """0 if every issue was opened (or printed), else 1."""
    from grader.classroom.post_feedback import post_feedback

    failed = post_feedback(Path(arguments.output), arguments.org, arguments.prefix, arguments.repos,
                           arguments.dry_run, arguments.include_examples)
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    """The parser of every registered command."""
    parser = argparse.ArgumentParser(prog="python -m grader",
                                     description="The course pipeline from the command line, one command per step.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for entry in COMMANDS.values():
        sub = commands.add_parser(entry.name, help=entry.help, description=entry.help)
        for flags, options in entry.arguments:
            sub.add_argument(*flags, **options)
        sub.set_defaults(run=entry.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    try:
        return arguments.run(arguments)
    except (FileNotFoundError, ValueError, RuntimeError) as error:
        reason = " ".join(str(error).split())
        print(f"grader {arguments.command}: {reason[:500]}", file=sys.stderr)
        return 2
