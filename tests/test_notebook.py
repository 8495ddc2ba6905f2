"""The source notebook: structure for nbgrader and students, and a clean run."""

import pytest

from grader import paths
from grader.grading import suite
from grader.notebook import is_graded_test, is_library, is_solution, nbgrader_metadata, read_notebook
from grader.parts import TEST_CELL_PARTS

SOURCE = read_notebook(paths.SOURCE_NOTEBOOK)


def test_every_test_cell_opens_with_a_one_line_docstring():
    for cell in filter(is_graded_test, SOURCE.cells):
        first = cell.source.lstrip().splitlines()[0]
        assert first.startswith('"""') and first.endswith('"""') and len(first) > 10, nbgrader_metadata(cell)["grade_id"]


def test_test_cells_map_to_parts_and_points_match_the_hidden_suite():
    graded = {nbgrader_metadata(c)["grade_id"]: nbgrader_metadata(c)["points"] for c in SOURCE.cells if is_graded_test(c)}
    assert set(graded) == set(TEST_CELL_PARTS)
    assert sum(graded.values()) == 100
    hidden = {}
    for test in suite.collect():
        hidden[test.cell] = hidden.get(test.cell, 0) + test.points
        assert TEST_CELL_PARTS[test.cell] == test.part, test.nodeid
    assert hidden == graded, "points per notebook test cell must equal the hidden tests' points for that cell"


def test_hidden_test_names_are_unique():
    names = [test.name for test in suite.collect()]
    assert len(names) == len(set(names))


def test_solution_cells_hold_solution_regions_inside_methods():
    for cell in filter(is_solution, SOURCE.cells):
        lines = cell.source.splitlines()
        begins = [line for line in lines if line.strip() == "### BEGIN SOLUTION"]
        assert begins, nbgrader_metadata(cell)["grade_id"]
        assert all(line.startswith("        ") for line in begins), "solution regions sit inside method bodies"


def test_provided_cells_are_locked():
    for cell in SOURCE.cells:
        if not is_solution(cell):
            assert nbgrader_metadata(cell).get("locked") is True, cell.id


def test_library_cells_come_before_the_demos():
    kinds = ["library" if is_library(c) else "other" for c in SOURCE.cells if c.cell_type == "code"]
    assert "library" in kinds


@pytest.mark.slow
def test_source_notebook_runs_top_to_bottom_without_error(tmp_path):
    from grader.grading.execute import execute_notebook

    executed, seconds = execute_notebook(paths.SOURCE_NOTEBOOK, env={"TINYTORCH_FIGURES_DIR": str(tmp_path)})
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["batch_memory.png", "fast_path_throughput.png",
                                                              "loader_throughput.png", "step_time_share.png"]
    images = [o for c in executed.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) == 4
    print(f"source notebook ran in {seconds:.1f} s")
