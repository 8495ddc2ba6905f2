"""The main job: release -> export -> run the source notebook (figures) ->
grade the bundled example submissions -> grades.csv, feedback, figures.

Everything is written under ``autograded/``: ``grades.csv``, ``feedback/``
(the grader's Markdown feedback per student), ``nbgrader_feedback/``
(nbgrader's HTML feedback) and ``figures/`` (PNG files).
"""

from __future__ import annotations

import os
import time

from grader import paths
from grader.parts import PARTS
from grader.publish.export import export


def _step(title: str) -> None:
    print(f"\n== {title}", flush=True)


def grades_table(scores: dict[str, dict[str, float]], maxima: dict[str, float]) -> str:
    """Format per-part scores as an aligned text table, one row per student."""
    columns = [*PARTS, "total"]
    width = max([len("submission")] + [len(student) for student in scores])
    header = f"{'submission':<{width}}  " + "  ".join(f"{c:>13}" for c in columns)
    lines = [header, "-" * len(header)]
    for student in sorted(scores):
        cells = [f"{scores[student][c]:>6g} / {maxima[c]:<4g}" for c in columns]
        lines.append(f"{student:<{width}}  " + "  ".join(f"{cell:>13}" for cell in cells))
    return "\n".join(lines)


def run_demo() -> int:
    from grader.grading.execute import execute_notebook
    from grader.publish.leaks import find_leaks, hidden_suite_files
    from grader.nbgrader.commands import autograde_all, generate_feedback
    from grader.nbgrader.gradebook import part_scores
    from grader.publish.release import generate_release

    started = time.perf_counter()
    # The demo keeps its own nbgrader gradebook, made afresh each run.
    demo_gradebook = paths.AUTOGRADED_DIR / "demo_gradebook.db"
    paths.AUTOGRADED_DIR.mkdir(parents=True, exist_ok=True)
    demo_gradebook.unlink(missing_ok=True)
    os.environ["TINYTORCH_GRADEBOOK"] = str(demo_gradebook)
    _step("1/5 release: nbgrader generate_assignment source/ -> release/")
    release_dir = generate_release()
    leaks = find_leaks(release_dir, paths.SOURCE_NOTEBOOK, hidden_suite_files())
    if leaks:
        print("the release leaks instructor content:\n  " + "\n  ".join(leaks))
        return 1
    print(f"{release_dir.relative_to(paths.ROOT)}: generated, no solution or hidden-test text found")

    _step("2/5 export: source notebook -> tinytorch/core/dataloader.py")
    changed = export(paths.SOURCE_NOTEBOOK, paths.LIBRARY_MODULE,
                     str(paths.SOURCE_NOTEBOOK.relative_to(paths.ROOT)))
    print(f"{paths.LIBRARY_MODULE.relative_to(paths.ROOT)}: {'updated' if changed else 'already up to date'}")

    _step("3/5 run the source notebook in a fresh kernel (figures -> autograded/figures/)")
    paths.FIGURES_DIR.mkdir(parents=True, exist_ok=True)
    _, seconds = execute_notebook(paths.SOURCE_NOTEBOOK,
                                  env={"TINYTORCH_FIGURES_DIR": str(paths.FIGURES_DIR)})
    print(f"source notebook executed without error in {seconds:.1f} s")
    for figure in sorted(paths.FIGURES_DIR.glob("*.png")):
        print(f"  {figure.relative_to(paths.ROOT)} ({figure.stat().st_size:,} bytes)")

    _step("4/5 grade submitted/ with the hidden suite (python -m grader autograde submitted/)")
    from grader.classroom.autograde import autograde

    reports = autograde(paths.SUBMITTED_DIR, paths.AUTOGRADED_DIR, jobs=2, force=True, progress=False,
                        include_examples=True)
    scores = {student: {**{p["name"]: p["score"] for p in r["parts"]}, "total": r["score"]}
              for student, r in reports.items()}
    first = next(iter(reports.values()))
    maxima = {**{p["name"]: p["max_score"] for p in first["parts"]}, "total": first["max_score"]}
    print(grades_table(scores, maxima))
    print(f"\ngrades:   {(paths.AUTOGRADED_DIR / 'grades.csv').relative_to(paths.ROOT)}"
          f" (summary: {(paths.AUTOGRADED_DIR / 'summary.md').relative_to(paths.ROOT)})")
    print(f"feedback: autograded/feedback/<student>/{paths.ASSIGNMENT}/feedback.md")
    print("reports:  autograded/reports/<student>.json")
    print(f"figures:  {paths.FIGURES_DIR.relative_to(paths.ROOT)}/")
    summary = (paths.AUTOGRADED_DIR / "summary.md").read_text(encoding="utf-8")
    print("\n" + "\n".join(line for line in summary.splitlines() if line.startswith(("|", "Full", "Submissions"))))

    _step("5/5 cross-check with nbgrader autograde (its SQLite gradebook: autograded/demo_gradebook.db)")
    autograde_all()
    nbgrader_totals = {student: row["total"] for student, row in part_scores().items()}
    for student in sorted(scores):
        agree = "agrees" if nbgrader_totals.get(student) == scores[student]["total"] else "DISAGREES"
        print(f"  {student}: nbgrader {nbgrader_totals.get(student, 'missing')}, "
              f"grader {scores[student]['total']:g} -> {agree}")
    disagreements = [s for s in scores if nbgrader_totals.get(s) != scores[s]["total"]]
    generate_feedback()
    print(f"  nbgrader feedback (hidden tests removed): autograded/nbgrader_feedback/<student>/{paths.ASSIGNMENT}/"
          f"{paths.NOTEBOOK_NAME.replace('.ipynb', '.html')}")
    print(f"demo finished in {time.perf_counter() - started:.1f} s")
    return 1 if disagreements else 0
