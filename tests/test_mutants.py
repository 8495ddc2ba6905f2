"""The mutation tool (tools/mutants.py): it mutates only the solution regions, its
reviewed equivalents still name mutants it generates, and on a small fixed
sample it kills real bugs through the grader and recognises a listed equivalent.

The full run (~265 mutants) is too slow for a test: `.venv/bin/python tools/mutants.py`.
"""

import importlib.util
import json
import subprocess
import sys

import pytest

from grader import paths

TOOL = paths.ROOT / "tools" / "mutants.py"


def _load_tool():
    spec = importlib.util.spec_from_file_location("mutants_tool", TOOL)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


mutants = _load_tool()


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """Every mutant cosmic-ray generates today in the solution regions."""
    cells, shards, _ = mutants.generate(tmp_path_factory.mktemp("mutants"))
    return cells, shards[0]


def test_mutants_cover_every_solution_cell_and_only_solution_regions(generated):
    cells, generated_mutants = generated
    raw = {nb_cell.metadata["nbgrader"]["grade_id"]: nb_cell.source.splitlines()
           for nb_cell in mutants.read_notebook(paths.SOURCE_NOTEBOOK).cells if mutants.is_solution(nb_cell)}
    assert {m.cell for m in generated_mutants} == {c.grade_id for c in cells if c.solution_lines}
    for mutant in generated_mutants:
        lines = raw[mutant.cell]
        begin = max(i for i in range(mutant.line) if "BEGIN SOLUTION" in lines[i])
        end = min(i for i in range(mutant.line - 1, len(lines)) if "END SOLUTION" in lines[i])
        assert begin < mutant.line - 1 < end, f"{mutant} lies outside a solution region"
        assert mutant.original.split()[0] in lines[mutant.line - 1], mutant
    # Provided code next to a solution region (DataLoader.__init__'s seed check) is never mutated.
    assert not [m for m in generated_mutants if "seed" in m.original]
    assert len({m.key for m in generated_mutants}) == len(generated_mutants), "two mutants share a key"


def test_every_listed_equivalent_is_a_mutant_generated_today(generated):
    _, generated_mutants = generated
    keys = {m.key for m in generated_mutants}
    entries = mutants.load_equivalents()
    assert entries, "the reviewed list is empty: the known equivalents are missing"
    stale = [(e["where"], e["original"], e["mutated"]) for e in entries
             if (e["where"], e["original"], e["mutated"]) not in keys]
    assert not stale, f"entries of tools/mutants_equivalent.toml match no mutant any more: {stale}"


@pytest.mark.parametrize("text, problem", [
    ('[[equivalent]]\nwhere = "A.b"\noriginal = "x"\nmutated = "y"\n', "keys"),
    ('[[equivalent]]\nwhere = "A.b"\noriginal = "x"\nmutated = "y"\nwhy = ""\n', "empty"),
    ('[[equivalent]]\nwhere = "A.b"\noriginal = "x"\nmutated = "y"\nwhy = "same"\n', "real reason"),
    ('[[equivalent]]\nwhere = "A.b"\noriginal = "x"\nmutated = "y"\nwhy = "a b c d e"\n' * 2, "twice"),
    ('[[survivor]]\nwhere = "A.b"\n', "unknown"),
])
def test_a_malformed_equivalents_file_is_refused(tmp_path, text, problem):
    path = tmp_path / "equivalents.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=problem):
        mutants.load_equivalents(path)


def test_verdict_fails_on_an_unlisted_survivor_a_killed_equivalent_and_a_low_score():
    def mutant(where, outcome):
        return mutants.Mutant("c", "core/Op", 0, where, 1, "a", "b", outcome=outcome)

    entry = {"where": "E.e", "original": "a", "mutated": "b", "why": "x"}
    killed = [mutant(f"K.k{i}", "killed") for i in range(19)]
    assert mutants.verdict(killed + [mutant("E.e", "survived")], [entry])["ok"]
    assert mutants.verdict(killed + [mutant("E.e", "survived")], [entry])["score"] == 1.0
    unlisted = mutants.verdict(killed + [mutant("S.s", "survived")], [entry])
    assert not unlisted["ok"] and [m.where for m in unlisted["unlisted"]] == ["S.s"]
    assert not mutants.verdict(killed + [mutant("E.e", "killed")], [entry])["ok"]
    low = mutants.verdict(killed[:3] + [mutant("S.s", "survived")], [])
    assert low["score"] == 0.75 and not low["ok"]


def test_a_small_sample_runs_end_to_end_through_the_grader(tmp_path):
    """TensorDataset.__len__: 4 mutants, through cosmic-ray and grade_notebook.
    ``tensors[0]`` -> ``tensors[-1]`` is a listed equivalent (every tensor
    shares the first dimension); the other three are real bugs."""
    out = tmp_path / "result.json"
    done = subprocess.run([sys.executable, str(TOOL), "--only", "TensorDataset.__len__",
                           "--json", str(out)], capture_output=True, text=True, timeout=120, cwd=paths.ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    result = {(m["where"], m["mutated"]): m["outcome"] for m in json.loads(out.read_text())["mutants"]}
    assert result[("TensorDataset.__len__", "return self.tensors[ -1].shape[0]")] == "survived"
    assert result[("TensorDataset.__len__", "return self.tensors[0].shape[ 1]")] == "killed"
    assert result[("TensorDataset.__len__", "return self.tensors[ 1].shape[0]")] == "killed"
    assert sum(outcome == "killed" for outcome in result.values()) >= 2
    assert "1 listed as equivalent" in done.stdout and "0 not listed" in done.stdout
    assert "= 100.0%" in done.stdout
