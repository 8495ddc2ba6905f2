"""Mutation testing of the reference solution with cosmic-ray, graded by the grader.

    .venv/bin/python tools/mutants.py [--jobs N] [--only SPEC ...] [--line TEXT] [--json FILE] [--keep]

Mutates only the code between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` of
``source/05_dataloader/dataloader.ipynb`` (never the provided code), with every
argument-free cosmic-ray operator.  Each mutant is the reference with one
mutation, built into a notebook as a submission (``grader.publish.fill.fill_release``)
and graded by ``grader.grading.grade.grade_notebook`` with the whole suite (public +
hidden): the mutant is *killed* when the notebook scores below full marks.  A
mutant that hangs is stopped by the grader's own limits (10 s per probe call,
120 s per notebook), which also kills it; cosmic-ray's timeout is a backstop.

Everything happens in a temporary copy (the cells as one module per solution
cell, the cosmic-ray sessions, the notebooks); the repository is only read.

Prints the mutation score (killed / non-equivalent mutants) and every survivor
that ``tools/mutants_equivalent.toml`` does not list.  A listed equivalent is
matched by its method, original line and mutated line (stripped), never by
line number, so edits elsewhere keep the list valid.

Exit status: 0 when the score is at least 95 % and every survivor is listed;
1 when the score is lower or a survivor is not listed or a listed equivalent
was killed (the review is wrong); 2 when the run itself failed (the reference
does not score full marks, the grader broke, a selection matches nothing).
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TOOL_DIR = REPO / "tools" / "mutants"  # the grading server and client, and the review of survivors
for folder in (REPO, TOOL_DIR):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import cosmic_ray.plugins  # noqa: E402
from cosmic_ray.config import load_config, serialize_config  # noqa: E402
from cosmic_ray.mutating import mutate_code  # noqa: E402
from cosmic_ray.work_db import WorkDB, use_db  # noqa: E402
from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkResult  # noqa: E402

from equivalents import EQUIVALENTS, TARGET, load_equivalents, verdict  # noqa: E402
from grader import paths  # noqa: E402
from grader.notebook import grade_id, is_solution, read_notebook, solution_code  # noqa: E402

BASE_CONFIG = TOOL_DIR / "cosmic-ray.toml"
COSMIC_RAY = Path(sys.executable).parent / "cosmic-ray"


@dataclass(frozen=True)
class Cell:
    """A solution cell: its code as graded (markers removed), which lines (1-based,
    in that code) are solution regions, and each code line's line in the notebook cell."""

    grade_id: str
    source: str
    solution_lines: frozenset[int]
    cell_line: dict


def solution_cells(source_notebook: Path = paths.SOURCE_NOTEBOOK) -> list[Cell]:
    """The solution cells of the source notebook, in order (``grader.notebook.solution_code``)."""
    cells = []
    for cell in read_notebook(source_notebook).cells:
        if is_solution(cell):
            code = solution_code(cell.source)
            cells.append(Cell(grade_id(cell), code.text, code.solution_lines, code.cell_line))
    return cells


def qualname_at(source: str, line: int) -> str:
    """``Class.method`` (or ``function``/``Class``) enclosing ``line`` of ``source``."""
    names: list[str] = []
    nodes = list(ast.parse(source).body)
    while nodes:
        for node in nodes:
            if (isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                    and node.lineno <= line <= node.end_lineno):
                names.append(node.name)
                nodes = list(node.body)
                break
        else:
            break
    return ".".join(names) or "<module>"


@dataclass
class Mutant:
    """One mutation of one solution cell, as cosmic-ray generates it."""

    cell: str
    operator: str
    occurrence: int
    where: str  # Class.method
    line: int  # line in the notebook cell (with markers), for people
    original: str  # the changed line(s), stripped
    mutated: str
    job_id: str = ""
    outcome: str = "pending"  # killed | survived | error | pending
    detail: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return self.where, self.original, self.mutated


def describe(cell: Cell, operator_name: str, operator_args: dict, occurrence: int,
             start_line: int) -> Mutant | None:
    """The mutant cosmic-ray makes with this operator occurrence, or None."""
    operator = cosmic_ray.plugins.get_operator(operator_name)(**(operator_args or {}))
    mutated = mutate_code(cell.source, operator, occurrence)
    if mutated is None:
        return None
    before, after = cell.source.split("\n"), mutated.split("\n")
    old, new = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if tag != "equal":
            old += before[i1:i2]
            new += after[j1:j2]
    return Mutant(cell=cell.grade_id, operator=operator_name, occurrence=occurrence,
                  where=qualname_at(cell.source, start_line), line=cell.cell_line.get(start_line, 0),
                  original=" ".join(" ".join(line.split()) for line in old),
                  mutated=" ".join(" ".join(line.split()) for line in new))


def selected(mutant: Mutant, only: list[str], line_text: str | None) -> bool:
    if line_text is not None and line_text not in mutant.original:
        return False
    if not only:
        return True
    return any(spec in (mutant.cell, mutant.where, mutant.where.split(".")[0]) for spec in only)


def _write_config(directory: Path, module_paths: list[Path], socket_path: Path, cells_dir: Path) -> Path:
    config = load_config(str(BASE_CONFIG))
    config["module-path"] = [str(p) for p in module_paths]
    config["test-command"] = f"{sys.executable} -I -S {TOOL_DIR / 'ask.py'} {socket_path} {cells_dir}"
    path = directory / "cosmic-ray.toml"
    path.write_text(serialize_config(config), encoding="utf-8")
    return path


def generate(work: Path, only: list[str] = (), line_text: str | None = None,
             jobs: int = 1) -> tuple[list[Cell], list[list[Mutant]], list[Path]]:
    """Copy the cells into ``work``, run ``cosmic-ray init`` for each job and skip
    (in its session) every mutation outside the solution regions, outside the
    selection, or belonging to another job.

    Returns the cells, each job's mutants, and each job's (config, session) paths.
    """
    cells = _retry(solution_cells)
    _retry(lambda: shutil.copyfile(paths.RELEASE_NOTEBOOK, work / "release.ipynb"))
    by_id = {cell.grade_id: cell for cell in cells}
    shards: list[list[Mutant]] = []
    sessions = []
    for job in range(jobs):
        directory = work / f"job{job}"
        cells_dir = directory / "cells"
        cells_dir.mkdir(parents=True)
        for cell in cells:
            (cells_dir / f"{cell.grade_id}.py").write_text(cell.source, encoding="utf-8")
        module_paths = [cells_dir / f"{cell.grade_id}.py" for cell in cells if cell.solution_lines]
        config = _write_config(directory, module_paths, directory / "grader.sock", cells_dir)
        session = directory / "session.sqlite"
        subprocess.run([str(COSMIC_RAY), "init", str(config), str(session)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        kept: list[Mutant] = []
        with use_db(str(session), WorkDB.Mode.open) as db:
            items = sorted(db.work_items, key=lambda item: (Path(item.mutations[0].module_path).stem,
                                                             item.mutations[0].operator_name,
                                                             item.mutations[0].occurrence))
            skip = []
            index = 0
            for item in items:
                spec = item.mutations[0]
                cell = by_id[Path(spec.module_path).stem]
                lines = range(spec.start_pos[0], spec.end_pos[0] + 1)
                mutant = None
                if all(line in cell.solution_lines for line in lines):
                    mutant = describe(cell, spec.operator_name, spec.operator_args, spec.occurrence, spec.start_pos[0])
                if mutant is not None and selected(mutant, list(only), line_text):
                    index += 1
                    if (index - 1) % jobs == job:
                        mutant.job_id = item.job_id
                        kept.append(mutant)
                        continue
                skip.append(item.job_id)
            if skip:
                db.set_multiple_results(skip, WorkResult(worker_outcome=WorkerOutcome.SKIPPED))
        shards.append(kept)
        sessions.append((config, session))
    return cells, shards, sessions


def _retry(action, attempts: int = 10):
    """``action()``, retried for a few seconds: other work may be rewriting the
    source and release notebooks (``edit_source`` regenerates them)."""
    for attempt in range(attempts):
        try:
            return action()
        except (OSError, ValueError):
            if attempt == attempts - 1:
                raise
            time.sleep(1)


def _start_server(socket_path: Path, release: Path, log: Path) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, str(TOOL_DIR / "serve.py"), str(socket_path), str(release)],
                              stdout=subprocess.PIPE, stderr=log.open("wb"), text=True)
    if server.stdout.readline().strip() != "ready":
        server.kill()
        raise RuntimeError(f"the grading server did not start: {log.read_text()[-2000:]}")
    return server


def _ask(socket_path: Path, cells_dir: Path) -> tuple[int, str]:
    done = subprocess.run([sys.executable, "-I", "-S", str(TOOL_DIR / "ask.py"), str(socket_path), str(cells_dir)],
                          capture_output=True, text=True)
    return done.returncode, done.stdout


def run(jobs: int = 1, only: list[str] = (), line_text: str | None = None, keep: bool = False,
        out=sys.stdout) -> tuple[list[Mutant], dict]:
    """Generate, grade and classify the mutants; return them and run facts."""
    work = Path(tempfile.mkdtemp(prefix="mutants-"))
    servers: list[subprocess.Popen] = []
    started = time.monotonic()
    try:
        cells, shards, sessions = generate(work, only, line_text, jobs)
        mutants = [m for shard in shards for m in shard]
        print(f"cosmic-ray: {len(mutants)} mutants of the solution regions "
              f"({', '.join(sorted({m.cell for m in mutants})) or 'none'}), {jobs} job(s), in {work}",
              file=out, flush=True)
        if not mutants:
            return mutants, {"error": "no mutant matches the selection"}
        for job in range(jobs):
            directory = work / f"job{job}"
            servers.append(_start_server(directory / "grader.sock", work / "release.ipynb", directory / "server.log"))
        # The unmutated reference must score full marks, or nothing can be judged.
        code, output = _ask(work / "job0" / "grader.sock", work / "job0" / "cells")
        if code != 0:
            return mutants, {"error": f"the reference does not score full marks: {output.strip()}"}
        execs = [subprocess.Popen([str(COSMIC_RAY), "exec", str(config), str(session)],
                                  stdout=subprocess.DEVNULL, stderr=(work / f"job{job}" / "exec.log").open("wb"))
                 for job, (config, session) in enumerate(sessions)]
        last = time.monotonic()
        while any(e.poll() is None for e in execs):
            time.sleep(1)
            if time.monotonic() - last >= 60:
                last = time.monotonic()
                done = sum(_graded(session) for _, session in sessions)
                print(f"  {done} / {len(mutants)} graded after {last - started:.0f} s", file=out, flush=True)
        if any(e.returncode for e in execs):
            return mutants, {"error": f"cosmic-ray exec failed: see {work}/job*/exec.log"}
        code, output = _ask(work / "job0" / "grader.sock", work / "job0" / "cells")
        if code != 0:  # the suite broke during the run: its kills prove nothing
            return mutants, {"error": f"the reference no longer scores full marks after the run: {output.strip()}"}
        slowest = 0.0
        for shard, (_, session) in zip(shards, sessions):
            with use_db(str(session), WorkDB.Mode.open) as db:
                results = dict(db.results)
            for mutant in shard:
                result = results.get(mutant.job_id)
                if result is None:
                    mutant.outcome, mutant.detail = "error", "no result"
                    continue
                output = result.output or ""
                if result.worker_outcome != WorkerOutcome.NORMAL or output.startswith("GRADER-ERROR"):
                    mutant.outcome, mutant.detail = "error", output.strip()[-500:]
                elif result.test_outcome == TestOutcome.SURVIVED:
                    mutant.outcome = "survived"
                else:  # KILLED, including cosmic-ray's own timeout; INCOMPETENT: the code cannot run
                    mutant.outcome = "killed"
                    mutant.detail = output.strip()[:500]
                for word in output.split():
                    if word.startswith("seconds="):
                        slowest = max(slowest, float(word.split("=")[1]))
        return mutants, {"seconds": time.monotonic() - started, "slowest_grading": slowest}
    finally:
        for server in servers:
            server.kill()
            server.wait()
        if keep:
            print(f"kept {work}", file=out)
        else:
            shutil.rmtree(work, ignore_errors=True)


def _graded(session: Path) -> int:
    """Mutants of this session graded so far (the skipped ones left out)."""
    try:
        with use_db(str(session), WorkDB.Mode.open) as db:
            return sum(1 for _, r in db.results if r.worker_outcome != WorkerOutcome.SKIPPED)
    except Exception:  # the session is being written: report next time
        return 0


def _show(mutant: Mutant) -> str:
    return (f"{mutant.where} (cell line {mutant.line}): `{mutant.original}` -> `{mutant.mutated}`"
            f"   [{mutant.operator.removeprefix('core/')}]")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=1,
                        help="grading processes, each a cosmic-ray session with its own grading server (default 1)")
    parser.add_argument("--only", action="append", default=[], metavar="SPEC",
                        help="only a solution cell (dataloader), a class (DataLoader) or a method "
                             "(DataLoader.__iter__); repeatable")
    parser.add_argument("--line", dest="line_text", metavar="TEXT", help="only mutants whose original line holds TEXT")
    parser.add_argument("--equivalents", type=Path, default=EQUIVALENTS, help="the reviewed equivalent mutants")
    parser.add_argument("--json", type=Path, help="write every mutant with its outcome to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (its path is printed)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    equivalents = load_equivalents(args.equivalents)
    mutants, facts = run(args.jobs, args.only, args.line_text, args.keep)
    if args.json:
        args.json.write_text(json.dumps({"facts": facts, "mutants": [asdict(m) for m in mutants]}, indent=1))
    if "error" in facts:
        print(f"error: {facts['error']}")
        return 2
    result = verdict(mutants, equivalents)
    print(f"graded {len(mutants)} mutants in {facts['seconds']:.0f} s "
          f"(slowest grading {facts['slowest_grading']:.1f} s)")
    print(f"killed {len(result['killed'])}, survived {len(result['equivalent']) + len(result['unlisted'])} "
          f"({len(result['equivalent'])} listed as equivalent in {args.equivalents.name}, "
          f"{len(result['unlisted'])} not listed), errors {len(result['errors'])}")
    print(f"mutation score: {len(result['killed'])} / {result['non_equivalent']} non-equivalent mutants killed "
          f"= {100 * result['score']:.1f}% (target {100 * TARGET:.0f}%)")
    groups = (("survivors not listed as equivalent", result["unlisted"]),
              ("listed as equivalent but killed (review the entry)", result["wrongly_listed"]),
              ("could not be graded", result["errors"]))
    for title, group in groups:
        if group:
            print(f"{title}:")
            for cell in dict.fromkeys(m.cell for m in group):
                print(f"  [{cell}]")
                for mutant in (m for m in group if m.cell == cell):
                    print(f"    {_show(mutant)}" + (f"\n      {mutant.detail}" if title.startswith("could") else ""))
    if any(m.outcome == "error" for m in mutants):
        return 2
    print("OK" if result["ok"] else "FAILED")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
