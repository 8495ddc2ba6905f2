"""Grade a folder of submissions: ``python -m grader autograde DIR --jobs N``.

DIR holds one folder per student, whatever its name (``grader.classroom.student_folders``:
where the notebook is found, why there may be none; the bundled
``example_*`` folders only with ``--include-examples``).  Every student gets
exactly one report: a grade, or 0 with the reason.

For each student the report is written to ``OUT/reports/<student>.json`` and
the feedback to ``OUT/feedback/<student>/05_dataloader/feedback.md``, each
atomically, as soon as that student is graded.  ``OUT/grades.csv`` and
``OUT/summary.md`` are rebuilt from the reports at the end.  A rerun skips
every student whose report exists for the same notebook content and the same
grader (``submission_sha256`` and ``grading_version`` in the report), so a
killed run loses at most the submissions in flight and a changed suite
grades everyone again; ``--force`` grades everything again, ``--student
NAME`` one student.  ``--shard K/N`` grades every N-th student starting at K
(for a job matrix); ``python -m grader merge`` joins the shards' outputs.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import multiprocessing
import re
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from grader import paths
from grader.classroom.student_folders import find_notebook, is_example, not_collected, students_in
from grader.grading.intake import read_regular_file
from grader.limits import NOTED_STUDENTS, NOTICE_LIMIT, POOL_RETRIES, SUMMARY_LIMIT
from grader.parts import PARTS
from tinytorch.export import write_atomically

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")  # names that are also GitHub repository suffixes


def shard_of(students: list[str], shard: str | None) -> list[str]:
    """The students of shard ``"K/N"`` (every N-th, starting at K), or all of them.

    Raises:
        ValueError: if ``shard`` is not of the form K/N with 0 <= K < N.
    """
    if not shard:
        return students
    match = re.fullmatch(r"(\d+)/(\d+)", shard)
    if not match or not int(match.group(1)) < int(match.group(2)):
        raise ValueError(f"--shard should be K/N with 0 <= K < N, got {shard!r}")
    index, count = int(match.group(1)), int(match.group(2))
    return students[index::count]


def digest(path: Path | None) -> str:
    """SHA-256 of the notebook if it is a readable regular file, else a word saying why not."""
    if path is None:
        return "missing"
    try:
        return hashlib.sha256(read_regular_file(path)).hexdigest()
    except OSError:
        return "unreadable"


@functools.lru_cache(maxsize=1)
def grading_version() -> str:
    """SHA-256 of everything that decides a grade: the grading suite, the
    grader, the provided library and the release notebook.  A report made
    under another version is graded again."""
    files = [*sorted(paths.SUITE_DIR.rglob("*.py")), *sorted((paths.ROOT / "grader").rglob("*.py")),
             *sorted((paths.ROOT / "tinytorch").rglob("*.py")), paths.RELEASE_NOTEBOOK]
    total = hashlib.sha256()
    for path in files:
        total.update(str(path.relative_to(paths.ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return total.hexdigest()


def report_path(output: Path, student: str) -> Path:
    return Path(output) / "reports" / f"{student}.json"


def load_report(path: Path) -> dict | None:
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return report if isinstance(report, dict) else None


def zero_report(problem: str) -> dict:
    """A report of 0 points whose only notice is ``problem``."""
    from grader.grading.grade import _report, hidden_tests

    return _report(paths.NOTEBOOK_NAME, hidden_tests(), {}, problem, [problem])


def grader_error_report(error: BaseException | str) -> dict:
    """0 points because the grader failed (not the submission): never reused, a rerun grades again."""
    from grader.grading.grade import scrub

    what = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    report = zero_report(f"the grader failed on this submission ({scrub(what)[:NOTICE_LIMIT]}); "
                         "the instructor will grade it again")
    report["grader_error"] = scrub(what)[:NOTICE_LIMIT]
    return report


def save_report(output: Path, student: str, report: dict) -> None:
    """Write the student's feedback, then the report (last: it marks the student done)."""
    from grader.grading.feedback import feedback_markdown

    write_atomically(Path(output) / "feedback" / student / paths.ASSIGNMENT / "feedback.md",
                     feedback_markdown(report, student, paths.ASSIGNMENT))
    write_atomically(report_path(output, student), json.dumps(report, indent=2) + "\n")


def up_to_date(report: dict | None, sha: str) -> bool:
    """Whether ``report`` still holds for a notebook of this digest under this grader."""
    return (report is not None and not report.get("grader_error") and sha != "unreadable"
            and report.get("submission_sha256") == sha and report.get("grading_version") == grading_version())


def grade_student(submissions: Path, output: Path, student: str, force: bool,
                  unsandboxed: bool = False) -> tuple[str, dict, bool]:
    """Grade one student unless an up-to-date report exists; return
    (student, report, graded_now).  Whatever the folder holds, the student
    gets a report: a grade, or 0 with the reason.

    Raises:
        sandbox.SandboxUnavailable: bubblewrap cannot run (nothing can be graded).
    """
    from grader.grading.grade import grade_notebook
    from grader.grading.sandbox import SandboxUnavailable

    folder = Path(submissions) / student
    found = find_notebook(folder)
    reason = None if found.path else not_collected(folder)
    sha = digest(found.path)
    existing = load_report(report_path(output, student))
    if not force and up_to_date(existing, sha):
        return student, existing, False
    started = time.monotonic()
    try:
        if found.path:
            report = grade_notebook(found.path, unsandboxed=unsandboxed)
        else:
            report = zero_report(f"not collected: {reason}" if reason else found.problem)
            if reason:
                report["not_collected"] = reason
    except SandboxUnavailable:
        raise
    except Exception as error:  # noqa: BLE001 - one submission's grader failure never stops the class
        report = grader_error_report(error)
    report["student"] = student
    report["submission_sha256"] = sha
    report["grading_version"] = grading_version()
    report["grading_seconds"] = round(time.monotonic() - started, 2)
    save_report(output, student, report)
    return student, report, True


def autograde(submissions: Path, output: Path = paths.AUTOGRADED_DIR, jobs: int = 2, force: bool = False,
              shard: str | None = None, progress: bool = True, unsandboxed: bool = False,
              students: list[str] | None = None, include_examples: bool = False,
              counts: dict | None = None) -> dict[str, dict]:
    """Grade every student of ``submissions`` (or of one shard, or only
    ``students``, which are graded again); return student -> report, and write
    reports, feedback, grades.csv and summary.md.

    Each of ``jobs`` worker processes grades one submission at a time (the
    judgements run in the worker, the submission in its sandboxed child).  A
    worker that dies is replaced; its students are graded again, and after
    POOL_RETRIES fresh pools get a grader-error row.  Reports that failed because
    of the grader say so (``grader_error``) and are graded again on a rerun.

    ``counts``, when given, receives ``graded`` (now) and ``reused`` (reports
    still up to date).

    Raises:
        sandbox.SandboxUnavailable: before grading anything, if bubblewrap
            cannot run and ``unsandboxed`` is False.
        ValueError: a name in ``students`` is not a student of ``submissions``.
    """
    from grader.grading import sandbox
    from grader.grading.grade import hidden_tests

    sandbox.isolation(unsandboxed)  # fail closed before any work
    hidden_tests()  # a broken suite fails here, once
    everyone = students_in(submissions, include_examples=True)
    if students:
        unknown = sorted(set(students) - set(everyone))
        if unknown:
            raise ValueError(f"--student: no folder {', '.join(map(repr, unknown))} in {submissions}")
        chosen, force = sorted(set(students)), True
    else:
        chosen = shard_of([s for s in everyone if include_examples or not is_example(s)], shard)
    reports: dict[str, dict] = {}
    counts = {} if counts is None else counts
    counts.update(graded=0, reused=0)
    bar = _progress_bar(len(chosen), progress)
    pending = list(chosen)
    for _attempt in range(POOL_RETRIES + 1):
        pending = _grade_in_pool(submissions, output, pending, force, unsandboxed, jobs, reports, bar, counts)
        if not pending:
            break
    for student in pending:
        report = grader_error_report("a grading worker process died while grading this submission")
        report["student"] = student
        save_report(output, student, report)
        reports[student] = report
        counts["graded"] += 1
    bar.close()
    write_summaries(output)
    return reports


def _grade_in_pool(submissions, output, students, force, unsandboxed, jobs, reports, bar, counts) -> list[str]:
    """Grade ``students`` in a pool of ``jobs`` workers; return those a dying worker left ungraded."""
    context = multiprocessing.get_context("forkserver")
    left = []
    with ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=context) as pool:
        futures = {pool.submit(grade_student, submissions, output, s, force, unsandboxed): s for s in students}
        for future in as_completed(futures):
            student = futures[future]
            try:
                _, report, graded_now = future.result()
            except BrokenProcessPool:
                left.append(student)
                continue
            reports[student] = report
            counts["graded" if graded_now else "reused"] += 1
            bar.update(1)
    return sorted(left)


def _progress_bar(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="submission", desc="grading", disable=not enabled, dynamic_ncols=True)


def all_reports(output: Path) -> dict[str, dict]:
    """student -> report for every report under ``output/reports``."""
    reports = {}
    for path in sorted((Path(output) / "reports").glob("*.json")):
        report = load_report(path)
        if report is not None:
            reports[report.get("student", path.stem)] = report
    return reports


def grades_csv(reports: dict[str, dict]) -> str:
    """One row per student: a column per part, total, max_score, notices."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *PARTS, "total", "max_score", "notes"])
    for student in sorted(reports):
        report = reports[student]
        scores = {part["name"]: part["score"] for part in report["parts"]}
        writer.writerow([student, *(f"{scores.get(p, 0):g}" for p in PARTS), f"{report['score']:g}",
                         f"{report['max_score']:g}", " | ".join(report.get("notices", []))])
    return buffer.getvalue()


def summary_markdown(reports: dict[str, dict]) -> str:
    """Class summary: count, mean per part, score distribution, grader
    failures, notices (escaped: names and notices come from submissions),
    at most SUMMARY_LIMIT characters."""
    from grader.grading.feedback import escape

    lines = [f"# {paths.ASSIGNMENT}: class summary", "", f"Submissions graded: {len(reports)}", ""]
    if not reports:
        return "\n".join(lines) + "\n"
    lines += ["| part | mean | max |", "|---|---|---|"]
    first = next(iter(reports.values()))
    for index, part in enumerate(first["parts"]):
        mean = sum(r["parts"][index]["score"] for r in reports.values()) / len(reports)
        lines.append(f"| {part['name']} | {mean:.1f} | {part['max_score']:g} |")
    totals = sorted(r["score"] for r in reports.values())
    mean_total = sum(totals) / len(totals)
    lines.append(f"| total | {mean_total:.1f} | {first['max_score']:g} |")
    full = sum(1 for r in reports.values() if r["score"] == r["max_score"])
    lines += ["", f"Full marks: {full}; zero: {sum(1 for t in totals if t == 0)}; "
                  f"median: {totals[len(totals) // 2]:g}.", ""]
    failed = sorted(s for s, r in reports.items() if r.get("grader_error"))
    if failed:
        lines += ["## Grader failures (graded 0 until a rerun succeeds)", ""]
        lines += [f"- {escape(s)}: {escape(reports[s]['grader_error'])}" for s in failed[:NOTED_STUDENTS]]
        lines.append("")
    missing = sorted(s for s, r in reports.items() if r.get("not_collected"))
    if missing:
        lines += [f"## Not collected ({len(missing)})", ""]
        lines += [f"- {escape(s)}: {escape(reports[s]['not_collected'])}" for s in missing[:NOTED_STUDENTS]]
        lines.append("")
    flagged = sorted((s, r["notices"]) for s, r in reports.items()
                     if r.get("notices") and not r.get("grader_error") and not r.get("not_collected"))
    if flagged:
        lines += ["## Submissions with notes", ""]
        lines += [f"- {escape(student)}: {escape(' | '.join(map(str, notes)))[:600]}"
                  for student, notes in flagged[:NOTED_STUDENTS]]
        if len(flagged) > NOTED_STUDENTS:
            lines.append(f"- ... and {len(flagged) - NOTED_STUDENTS} more: see grades.csv")
    text = "\n".join(lines) + "\n"
    if len(text) > SUMMARY_LIMIT:
        text = text[: SUMMARY_LIMIT - 80].rsplit("\n", 1)[0] + "\n\n(summary cut here: see grades.csv)\n"
    return text


def write_summaries(output: Path) -> dict[str, dict]:
    """Rebuild grades.csv and summary.md from every report under ``output``."""
    reports = all_reports(output)
    write_atomically(Path(output) / "grades.csv", grades_csv(reports))
    write_atomically(Path(output) / "summary.md", summary_markdown(reports))
    return reports


def merge(shard_outputs: list[Path], output: Path) -> dict[str, dict]:
    """Copy the reports and feedback of several shard outputs into ``output``
    and rebuild the summaries.

    Raises:
        ValueError: if two shards graded the same student.
    """
    seen = {}
    for shard in shard_outputs:
        for path in sorted((Path(shard) / "reports").glob("*.json")):
            if path.stem in seen:
                raise ValueError(f"student {path.stem} appears in both {seen[path.stem]} and {shard}")
            seen[path.stem] = shard
            write_atomically(report_path(output, path.stem), path.read_text(encoding="utf-8"))
            feedback = Path(shard) / "feedback" / path.stem / paths.ASSIGNMENT / "feedback.md"
            if feedback.is_file():
                write_atomically(Path(output) / "feedback" / path.stem / paths.ASSIGNMENT / "feedback.md",
                                 feedback.read_text(encoding="utf-8"))
    return write_summaries(output)
