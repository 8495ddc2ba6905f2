"""``python -m grader COMMAND``: the course pipeline from the command line.

Commands:
    release   regenerate release/05_dataloader with nbgrader (then scan it for leaks)
    export    write tinytorch/core/dataloader.py from a notebook
    grade     grade one notebook with the hidden suite (table, --json)
    autograde grade a folder of submissions in parallel (resumable)
    merge     join the outputs of autograde shards
    demo      the main job: release, export, run the notebook for its figures,
              grade the bundled submissions, write grades and feedback
    collect   gather student repositories at their last commit before a deadline
    post-feedback  open a feedback issue in each student repository
    shards    print the shard numbers 0..N-1 as JSON (a workflow's job matrix)
    rules     print the rule table: each rule the release states, the tests enforcing it, their points
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader import paths


def _release(arguments) -> int:
    from grader.leaks import find_leaks, hidden_suite_files
    from grader.release import generate_release

    release_dir = generate_release()
    leaks = find_leaks(release_dir, paths.SOURCE_NOTEBOOK, hidden_suite_files())
    if leaks:
        print(f"release {release_dir} leaks instructor content:", file=sys.stderr)
        for leak in leaks:
            print(f"  {leak}", file=sys.stderr)
        return 1
    print(f"wrote {release_dir.relative_to(paths.ROOT)} (no solution or hidden-test text found)")
    return 0


def _export(arguments) -> int:
    from grader.export import export, library_source

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


def _grade(arguments) -> int:
    from grader.grade import grade_notebook
    from grader.report import format_report, write_json

    report = grade_notebook(Path(arguments.notebook), timeout=arguments.timeout, unsandboxed=arguments.unsandboxed)
    print(format_report(report))
    if arguments.json:
        write_json(report, Path(arguments.json))
    return 0


def _autograde(arguments) -> int:
    from grader.autograde import autograde

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


def _merge(arguments) -> int:
    from grader.autograde import merge

    reports = merge([Path(p) for p in arguments.shards], Path(arguments.output))
    print(f"merged {len(reports)} reports into {arguments.output}")
    return 0


def _demo(arguments) -> int:
    from grader.demo import run_demo

    return run_demo()


def _shards(arguments) -> int:
    import json

    if not 1 <= arguments.count <= 256:
        raise ValueError(f"N should be between 1 and 256 (GitHub's job matrix limit), got {arguments.count}")
    print(json.dumps(list(range(arguments.count))))
    return 0


def _rules(arguments) -> int:
    from grader import suite
    from grader.rules import load_rules, table

    print(table(load_rules(), {test.name: test.points for test in suite.collect()}))
    return 0


UNSANDBOXED_HELP = ("grade even where bubblewrap cannot run, without isolation: only for code you trust "
                    "(default: refuse and say how to install bubblewrap)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m grader", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    release = commands.add_parser("release", help="regenerate the student release with nbgrader")
    release.set_defaults(run=_release)

    rules = commands.add_parser("rules", help="print the rule table (rules, tests enforcing them, points)")
    rules.set_defaults(run=_rules)

    export = commands.add_parser("export", help="export a notebook's library code as a module")
    export.add_argument("--notebook", default=str(paths.SOURCE_NOTEBOOK),
                        help="notebook to export (default: the source notebook)")
    export.add_argument("--output", default=str(paths.LIBRARY_MODULE),
                        help="module to write (default: tinytorch/core/dataloader.py)")
    export.add_argument("--check", action="store_true",
                        help="only check that the module is up to date; exit 1 if not")
    export.set_defaults(run=_export)

    grade = commands.add_parser("grade", help="grade one notebook with the hidden suite")
    grade.add_argument("notebook", help="the submitted notebook (.ipynb)")
    grade.add_argument("--json", metavar="OUT.json", help="also write the report as JSON")
    grade.add_argument("--timeout", type=float, default=120.0,
                       help="seconds allowed for the whole notebook (default 120)")
    grade.add_argument("--unsandboxed", action="store_true", help=UNSANDBOXED_HELP)
    grade.set_defaults(run=_grade)

    autograde = commands.add_parser("autograde", help="grade a folder of submissions in parallel")
    autograde.add_argument("submissions", help="folder with one sub-folder per student (e.g. submitted/)")
    autograde.add_argument("--output", default=str(paths.AUTOGRADED_DIR),
                           help="where reports, feedback, grades.csv and summary.md go (default autograded/)")
    autograde.add_argument("--jobs", type=int, default=2, help="submissions graded at once (default 2)")
    autograde.add_argument("--force", action="store_true", help="grade again even if a report is up to date")
    autograde.add_argument("--shard", metavar="K/N", help="grade only every N-th student starting at K")
    autograde.add_argument("--quiet", action="store_true", help="no progress bar")
    autograde.add_argument("--unsandboxed", action="store_true", help=UNSANDBOXED_HELP)
    autograde.add_argument("--student", action="append", metavar="NAME",
                           help="grade only this student's folder, again (repeatable)")
    autograde.add_argument("--include-examples", action="store_true",
                           help="also grade the bundled example_* folders (left out of a class by default)")
    autograde.set_defaults(run=_autograde)

    merge = commands.add_parser("merge", help="merge the outputs of several autograde shards")
    merge.add_argument("shards", nargs="+", help="output folders of the shards")
    merge.add_argument("--output", default=str(paths.AUTOGRADED_DIR), help="merged output (default autograded/)")
    merge.set_defaults(run=_merge)

    demo = commands.add_parser("demo", help="the main job: release, grade the examples, figures")
    demo.set_defaults(run=_demo)

    from grader import collect, post_feedback

    collect.add_parser(commands)
    post_feedback.add_parser(commands)
    shards = commands.add_parser("shards", help="print [0, 1, ..., N-1] for a workflow's shard matrix")
    shards.add_argument("count", metavar="N", type=int, help="number of shards (1 to 256)")
    shards.set_defaults(run=_shards)
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    try:
        return arguments.run(arguments)
    except (FileNotFoundError, ValueError, RuntimeError) as error:
        reason = " ".join(str(error).split())
        print(f"grader {arguments.command}: {reason[:500]}", file=sys.stderr)
        return 2
