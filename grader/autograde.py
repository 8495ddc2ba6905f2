"""Grade a folder of submissions: ``python -m grader autograde DIR --jobs N``.

DIR holds one folder per student.  In each, the notebook is found at
``05_dataloader/dataloader.ipynb`` (nbgrader's submitted/ layout), else
``dataloader.ipynb`` (a GitHub Classroom repository), else the only
``.ipynb`` file there is.

For each student the report is written to ``OUT/reports/<student>.json`` and
the feedback to ``OUT/feedback/<student>/05_dataloader/feedback.md``, each
atomically, as soon as that student is graded.  ``OUT/grades.csv`` and
``OUT/summary.md`` are rebuilt from the reports at the end.  A rerun skips
every student whose report exists for the same notebook content (its SHA-256
is in the report), so a killed run loses at most the submissions in flight;
``--force`` grades everything again.  ``--shard K/N`` grades every N-th
student starting at K (for a job matrix); ``python -m grader merge`` joins the
shards' outputs.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from grader import paths
from grader.export import write_atomically
from grader.parts import PARTS

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def find_notebook(student_dir: Path) -> Path | None:
    """The submitted notebook of one student folder, or None if there is none."""
    for candidate in (student_dir / paths.ASSIGNMENT / paths.NOTEBOOK_NAME, student_dir / paths.NOTEBOOK_NAME):
        if candidate.is_file():
            return candidate
    notebooks = sorted(p for p in student_dir.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    return notebooks[0] if len(notebooks) == 1 else None


def students_in(submissions: Path) -> list[str]:
    """Student ids: the sub-folders of ``submissions`` with usable names, sorted."""
    return sorted(p.name for p in Path(submissions).iterdir() if p.is_dir() and STUDENT_ID.match(p.name))


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
    return hashlib.sha256(path.read_bytes()).hexdigest() if path and path.is_file() else "missing"


def report_path(output: Path, student: str) -> Path:
    return Path(output) / "reports" / f"{student}.json"


def load_report(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def missing_notebook_report(student_dir: Path) -> dict:
    from grader.grade import _report, hidden_tests

    problem = (f"no notebook found: expected {paths.ASSIGNMENT}/{paths.NOTEBOOK_NAME} or "
               f"{paths.NOTEBOOK_NAME} in the submission (or exactly one .ipynb file)")
    return _report(paths.NOTEBOOK_NAME, hidden_tests(), {}, problem, [problem])


def grade_student(submissions: Path, output: Path, student: str, force: bool,
                  unsandboxed: bool = False) -> tuple[str, dict, bool]:
    """Grade one student unless an up-to-date report exists; return
    (student, report, graded_now)."""
    from grader.feedback import feedback_markdown
    from grader.grade import grade_notebook

    notebook = find_notebook(Path(submissions) / student)
    sha = digest(notebook)
    destination = report_path(output, student)
    existing = load_report(destination)
    if existing and not force and existing.get("submission_sha256") == sha:
        return student, existing, False
    if notebook:
        report = grade_notebook(notebook, unsandboxed=unsandboxed)
    else:
        report = missing_notebook_report(Path(submissions) / student)
    report["student"] = student
    report["submission_sha256"] = sha
    feedback = feedback_markdown(report, student, paths.ASSIGNMENT)
    write_atomically(Path(output) / "feedback" / student / paths.ASSIGNMENT / "feedback.md", feedback)
    write_atomically(destination, json.dumps(report, indent=2) + "\n")  # last: marks the student done
    return student, report, True


def autograde(submissions: Path, output: Path = paths.AUTOGRADED_DIR, jobs: int = 2, force: bool = False,
              shard: str | None = None, progress: bool = True, unsandboxed: bool = False) -> dict[str, dict]:
    """Grade every student of ``submissions`` (or of one shard); return
    student -> report, and write reports, feedback, grades.csv and summary.md.

    Each of ``jobs`` worker processes grades one submission at a time (the
    judgements run in the worker, the submission in its sandboxed child).

    Raises:
        sandbox.SandboxUnavailable: before grading anything, if bubblewrap
            cannot run and ``unsandboxed`` is False.
    """
    from grader import sandbox
    from grader.grade import hidden_tests

    sandbox.isolation(unsandboxed)  # fail closed before any work
    hidden_tests()  # a broken suite fails here, once
    students = shard_of(students_in(submissions), shard)
    reports, graded = {}, 0
    bar = _progress_bar(len(students), progress)
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=context) as pool:
        futures = [pool.submit(grade_student, submissions, output, s, force, unsandboxed) for s in students]
        for future in as_completed(futures):
            student, report, graded_now = future.result()
            reports[student] = report
            graded += graded_now
            bar.update(1)
    bar.close()
    write_summaries(output)
    return reports


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
    """Class summary: count, mean per part, score distribution, notices."""
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
    flagged = {s: r["notices"] for s, r in reports.items() if r.get("notices")}
    if flagged:
        lines += ["## Submissions with notes", ""]
        lines += [f"- {student}: {' | '.join(notes)}" for student, notes in sorted(flagged.items())]
    return "\n".join(lines) + "\n"


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
