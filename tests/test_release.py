"""The committed release is nbgrader's output for the source, free of solutions
and hidden tests, with locked graded cells; leak detection really detects."""

import json
import shutil

import pytest

from grader import paths
from grader.grading.execute import execute_notebook
from grader.notebook import is_graded_test, is_solution, nbgrader_metadata, read_notebook
from grader.publish.leaks import find_leaks, hidden_suite_files, secret_lines
from grader.publish.release import generate_release_copy
from tests.helpers import error_outputs


def _normalised(path):
    """The notebook JSON without nbgrader's checksums (they change with nbgrader versions)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        cell.get("metadata", {}).get("nbgrader", {}).pop("checksum", None)
    return notebook


@pytest.fixture(scope="module")
def fresh_release(tmp_path_factory):
    return generate_release_copy(tmp_path_factory.mktemp("course"))


@pytest.mark.slow
def test_committed_release_equals_a_fresh_regeneration(fresh_release):
    committed = sorted(p.relative_to(paths.RELEASE_DIR) for p in paths.RELEASE_DIR.rglob("*") if p.is_file())
    regenerated = sorted(p.relative_to(fresh_release) for p in fresh_release.rglob("*") if p.is_file())
    assert committed == regenerated
    for relative in committed:
        if relative.suffix == ".ipynb":
            assert _normalised(paths.RELEASE_DIR / relative) == _normalised(fresh_release / relative), (
                f"{relative} is stale: run `python -m grader release`")
        else:
            assert (paths.RELEASE_DIR / relative).read_bytes() == (fresh_release / relative).read_bytes()


@pytest.mark.slow
def test_only_notebooks_are_copied_from_source(tmp_path):
    course = tmp_path / "course"
    source = course / "source" / paths.ASSIGNMENT
    shutil.copytree(paths.SOURCE_DIR, source)
    (source / "solution_notes.py").write_text("ANSWER = 42\n")
    (source / "data").mkdir()
    (source / "data" / "answers.md").write_text("the answers\n")
    shutil.copy2(paths.ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    from grader.publish.release import generate_release

    release = generate_release(course)
    names = {p.name for p in release.rglob("*") if p.is_file()}
    assert paths.NOTEBOOK_NAME in names
    assert not names & {"solution_notes.py", "answers.md"}, "nbgrader copied a private file"


def test_committed_release_has_no_leaks():
    assert find_leaks(paths.RELEASE_DIR, paths.SOURCE_NOTEBOOK, hidden_suite_files()) == []


def test_hidden_test_lines_are_secret_too(tmp_path):
    release = tmp_path / "release"
    shutil.copytree(paths.RELEASE_DIR, release)
    test_file = paths.ROOT / "grading_suite" / "hidden" / "test_dataset.py"
    line = next(l.strip() for l in test_file.read_text().splitlines() if "should raise TypeError because" in l)
    (release / "notes.txt").write_text(line + "\n")
    assert find_leaks(release, paths.SOURCE_NOTEBOOK, hidden_suite_files())


def test_secret_lines_are_specific():
    secrets = secret_lines(paths.SOURCE_NOTEBOOK)
    assert "return math.ceil(len(self.dataset) / self.batch_size)" in secrets
    assert "raise NotImplementedError()" not in secrets
    assert all(len(line) >= 12 for line in secrets)


PLANTED_LINE = "return math.ceil(len(self.dataset) / self.batch_size)"


def _plant_in_notebook_source(release):
    notebook = json.loads((release / paths.NOTEBOOK_NAME).read_text())
    cell = next(c for c in notebook["cells"] if c["cell_type"] == "code" and "__len__" in "".join(c["source"]))
    cell["source"] = "".join(cell["source"]).replace("raise NotImplementedError()", PLANTED_LINE, 1)
    (release / paths.NOTEBOOK_NAME).write_text(json.dumps(notebook))


def _plant_in_notebook_output(release):
    notebook = json.loads((release / paths.NOTEBOOK_NAME).read_text())
    cell = next(c for c in notebook["cells"] if c["cell_type"] == "code")
    cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["hint:\n", f"    {PLANTED_LINE}\n"]}]
    (release / paths.NOTEBOOK_NAME).write_text(json.dumps(notebook))


def _plant_in_python_file(release):
    (release / "helpers.py").write_text(f"def f(self):\n    {PLANTED_LINE}\n")


def _plant_in_nested_markdown(release):
    (release / "docs").mkdir()
    (release / "docs" / "notes.md").write_text(f"Hint: `{PLANTED_LINE}`\n".replace("`", "\n"))


def _plant_marker(release):
    (release / "README.md").write_text("### BEGIN SOLUTION\n")


def _plant_in_binary_file(release):
    (release / "blob.bin").write_bytes(b"\x00\xff\n" + PLANTED_LINE.encode() + b"\n\x00")


@pytest.mark.parametrize("plant", [_plant_in_notebook_source, _plant_in_notebook_output, _plant_in_python_file,
                                   _plant_in_nested_markdown, _plant_marker, _plant_in_binary_file])
def test_a_planted_solution_line_is_found(plant, tmp_path):
    release = tmp_path / "release"
    shutil.copytree(paths.RELEASE_DIR, release)
    assert find_leaks(release, paths.SOURCE_NOTEBOOK) == []
    plant(release)
    assert find_leaks(release, paths.SOURCE_NOTEBOOK), f"{plant.__name__} was not detected"


def test_graded_cells_are_locked_with_points_and_ids_are_unique():
    for path in (paths.SOURCE_NOTEBOOK, paths.RELEASE_NOTEBOOK):
        notebook = read_notebook(path)
        ids = [nbgrader_metadata(c)["grade_id"] for c in notebook.cells if nbgrader_metadata(c)]
        assert len(ids) == len(set(ids)), f"duplicate grade_id in {path.name}"
        graded = [c for c in notebook.cells if is_graded_test(c)]
        assert len(graded) >= 4
        for cell in graded:
            meta = nbgrader_metadata(cell)
            assert meta["locked"] is True and meta["points"] > 0, meta["grade_id"]
        assert all(nbgrader_metadata(c).get("schema_version") == 3 for c in notebook.cells)


def test_release_solution_cells_are_stubs():
    notebook = read_notebook(paths.RELEASE_NOTEBOOK)
    for cell in notebook.cells:
        if is_solution(cell):
            assert "raise NotImplementedError()" in cell.source, nbgrader_metadata(cell)["grade_id"]


@pytest.mark.slow
def test_release_notebook_runs_with_only_not_implemented_errors(tmp_path):
    copy = tmp_path / paths.NOTEBOOK_NAME
    shutil.copy2(paths.RELEASE_NOTEBOOK, copy)
    executed, _ = execute_notebook(copy, allow_errors=True)
    errors = error_outputs(executed)
    assert errors, "the stubs should raise NotImplementedError"
    unexpected = [e for e in errors if e[1] != "NotImplementedError"]
    assert unexpected == []
    failing_cells = {cell_id for cell_id, _, _ in errors}
    graded_ids = {c.id for c in executed.cells if is_graded_test(c)}
    assert graded_ids <= failing_cells, "every visible test should fail on the stubs"
