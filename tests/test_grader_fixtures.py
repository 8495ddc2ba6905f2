"""The hidden grader against many hand-written submissions: every buggy one
loses points exactly in the parts it breaks; every correct one gets 100.
Each is graded with the inputs the grader draws for it, and every fourth one
also with another draw, so no verdict hangs on one draw of the probes'
inputs.  All are graded once per module, two at a time, as autograde does.

Visible within hidden: the release's visible test cells (plain asserts in the
student's notebook) are run on every fixture, and a visible cell that fails
must cost the fixture hidden points in that cell's tests.  And grading the
same notebook twice, directly or through autograde, gives the same report."""

import multiprocessing
import shutil
from concurrent.futures import ProcessPoolExecutor

import pytest

from grader import paths
from grader.grading.grade import grade_notebook
from grader.notebook import read_notebook
from grader.parts import TEST_CELL_PARTS, part_of_test_cell
from grader.publish.fill import fill_release
from tests.fixture_submissions import all_fixtures, visible_cell_failures
from tests.test_attacks import leaked

BUGGY = all_fixtures("buggy")
CORRECT = all_fixtures("correct")
STYLES = ("gen_", "iter_", "np_", "list_")  # the adversaries' coding styles (file name prefixes)


def _grade(name: str, path: str, twice: bool) -> tuple[str, list[dict]]:
    reports = [grade_notebook(path)]
    if twice:
        reports.append(grade_notebook(path, key=f"another draw for {name}".encode()))
    return name, reports


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory) -> dict[str, str]:
    """fixture name -> the path of its notebook, written once per module."""
    folder = tmp_path_factory.mktemp("fixture-notebooks")
    return {fixture.name: str(fixture.write(folder)) for fixture in BUGGY + CORRECT}


@pytest.fixture(scope="module")
def graded(notebooks) -> dict[str, list[dict]]:
    """fixture name -> its reports under its own draw and, for every fourth
    fixture (to keep the suite within its time), under another."""
    twice = [index % 4 == 0 for index in range(len(notebooks))]
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("forkserver")) as pool:
        return dict(pool.map(_grade, notebooks, notebooks.values(), twice))


def assert_no_hidden_source(report):
    """No line of the judgements, the reference or source/ appears in any message."""
    for part in report["parts"]:
        for test in part["tests"]:
            assert leaked(test["message"]) == [], f"{test['name']} message quotes a secret line"


def _scores(report):
    return {part["name"]: (part["score"], part["max_score"]) for part in report["parts"]}


@pytest.mark.slow
@pytest.mark.parametrize("fixture", BUGGY, ids=[f.name for f in BUGGY])
def test_buggy_submission_loses_points_only_where_it_is_wrong(fixture, graded):
    for report in graded[fixture.name]:
        assert_no_hidden_source(report)
        _check_losses(fixture, report)


def _check_losses(fixture, report):
    scores = _scores(report)
    for part, (score, maximum) in scores.items():
        if part in fixture.breaks:
            assert score < maximum, f"{fixture.name} ({fixture.description}) should lose points in {part}"
        else:
            failed = [t["name"] + ": " + t["message"] for p in report["parts"] if p["name"] == part
                      for t in p["tests"] if t["status"] != "passed"]
            assert score == maximum, f"{fixture.name} should keep full points in {part}, lost: {failed}"


@pytest.mark.slow
@pytest.mark.parametrize("fixture", CORRECT, ids=[f.name for f in CORRECT])
def test_correct_alternative_gets_full_marks(fixture, graded):
    for report in graded[fixture.name]:
        _check_full_marks(fixture, report)


def _check_full_marks(fixture, report):
    failed = [t["name"] + ": " + t["message"] for p in report["parts"] for t in p["tests"] if t["status"] != "passed"]
    assert report["score"] == report["max_score"] == 100, f"{fixture.name} lost points: {failed}"


def test_there_are_enough_fixtures():
    assert len(BUGGY) >= 100 and len(CORRECT) >= 30, (len(BUGGY), len(CORRECT))
    for style in STYLES:
        named = [f for f in BUGGY + CORRECT if f.name.split("/")[-1].startswith(style)]
        assert len(named) >= 10, f"few fixtures in the style {style!r}"
    for fixture in BUGGY:
        assert fixture.breaks and fixture.description, fixture.name
    for fixture in CORRECT:
        assert fixture.breaks == [] and fixture.description, fixture.name


def test_pending_fixtures_are_well_formed():
    """The work list of bugs not caught yet (fixtures/submissions/pending): each builds and names its rule."""
    from tests.fixture_submissions import FIXTURES_DIR, load

    pending = sorted((FIXTURES_DIR / "pending").glob("*.py"))
    for path in pending:
        fixture = load(path)
        assert fixture.breaks and fixture.description and fixture.cell_sources(), path.name
        assert "RULE = " in path.read_text(), f"{path.name} should quote the rule it breaks"


# Visible within hidden ---------------------------------------------------------


@pytest.fixture(scope="module")
def visible(notebooks) -> dict[str, dict[str, str | None]]:
    """fixture name -> {visible test cell: None if it passes, else why it fails},
    each notebook run top to bottom up to its last test cell (a few seconds in all)."""
    failures = visible_cell_failures([read_notebook(path) for path in notebooks.values()])
    return dict(zip(notebooks, failures))


def test_visible_cells_pass_on_the_reference_and_fail_on_the_stubs():
    reference, stubs = visible_cell_failures([fill_release(), fill_release(reference=False)])
    assert reference == {cell: None for cell in TEST_CELL_PARTS}, reference
    assert set(stubs) == set(TEST_CELL_PARTS) and all(stubs.values()), f"a test cell passes on the stubs: {stubs}"


@pytest.mark.slow
@pytest.mark.parametrize("fixture", CORRECT, ids=[f.name for f in CORRECT])
def test_correct_alternative_passes_every_visible_cell(fixture, visible):
    failed = {cell: why for cell, why in visible[fixture.name].items() if why is not None}
    assert not failed, f"{fixture.name} ({fixture.description}) fails visible test cells: {failed}"


def _cell_loses_points(report: dict, cell: str) -> bool:
    return any(t["cell"] == cell and t["status"] != "passed" for p in report["parts"] for t in p["tests"])


def visible_failures_not_graded(fixture, failures: dict, report: dict) -> dict[str, str]:
    """visible cell -> description, for each visible cell that fails while
    the report loses no points in that cell's own tests (its public and
    hidden judgements) nor in another failing visible cell's of its part."""
    failing = [cell for cell, why in failures.items() if why is not None]
    gaps = {}
    for cell in failing:
        part = part_of_test_cell(cell)
        siblings = [c for c in failing if part_of_test_cell(c) == part]
        if any(_cell_loses_points(report, c) for c in siblings):
            continue
        tests = [t for p in report["parts"] if p["name"] == part for t in p["tests"]]
        score = sum(t["score"] for t in tests if t["cell"] == cell)
        maximum = sum(t["max_score"] for t in tests if t["cell"] == cell)
        gaps[cell] = (f"{fixture.name}: visible cell {cell} fails ({failures[cell]}) but its graded tests give "
                      f"{score:g}/{maximum:g} (part {part}: "
                      f"{sum(t['score'] for t in tests):g}/{sum(t['max_score'] for t in tests):g})")
    return gaps


@pytest.mark.slow
@pytest.mark.parametrize("fixture", BUGGY, ids=[f.name for f in BUGGY])
def test_a_failing_visible_cell_costs_points_in_its_own_tests(fixture, visible, graded):
    """Graded under the fixture's own draw (the grade it gets), every visible
    cell the fixture fails costs points in that cell's graded tests, or in
    those of another failing visible cell of its part (a collation bug that
    also trips the shuffle cell is blamed on the batching tests).  Or the
    cell passes with only the fixture's code of the cell's part (the
    reference elsewhere): the failure comes from another part, whose bug
    costs points there (a TensorDataset that turns int64 labels into float64
    fails the DataLoader's visible cell too)."""
    report = graded[fixture.name][0]
    gaps = visible_failures_not_graded(fixture, visible[fixture.name], report)
    parts = sorted({part_of_test_cell(cell) for cell in gaps})
    if parts:
        alone = dict(zip(parts, visible_cell_failures([fixture.notebook_in_part(part) for part in parts], jobs=1)))
        losing = {p["name"] for p in report["parts"] if p["score"] < p["max_score"]}
        for cell in list(gaps):
            part = part_of_test_cell(cell)
            if alone[part][cell] is None and losing - {part}:
                del gaps[cell]
    assert not gaps, "\n".join(gaps.values())


def test_the_visible_check_fails_when_no_graded_test_of_the_cell_loses_points():
    fixture = CORRECT[0]

    def report(flip_status, crop_status):
        tests = [{"name": "a", "cell": "test_random_horizontal_flip", "status": flip_status, "score": 0, "max_score": 10},
                 {"name": "b", "cell": "test_random_crop", "status": crop_status, "score": 0, "max_score": 10}]
        return {"parts": [{"name": "transforms", "tests": tests}]}

    flip_fails = {"test_random_horizontal_flip": "p=0 should never flip", "test_random_crop": None}
    assert list(visible_failures_not_graded(fixture, flip_fails, report("passed", "failed"))) == [
        "test_random_horizontal_flip"]
    assert visible_failures_not_graded(fixture, flip_fails, report("failed", "passed")) == {}
    both_fail = dict(flip_fails, test_random_crop="a crop of ones should contain only ones")
    assert visible_failures_not_graded(fixture, both_fail, report("passed", "failed")) == {}  # blamed on crop


# Grading twice -----------------------------------------------------------------

# A correct fixture, buggy ones in two parts (one raising where the release
# checks), graded directly (the module's reports) and twice through autograde.
GRADED_AGAIN = ("correct/loader_islice_batches", "buggy/compose_reversed",
                "buggy/tensordataset_negative_index_rejected", "buggy/loader_vstack")
TIMING_FIELDS = ("grading_seconds",)  # autograde: wall-clock seconds the grading took
AUTOGRADE_FIELDS = ("student", "submission_sha256", "grading_version")  # autograde's bookkeeping


def _without(report: dict, fields) -> dict:
    return {key: value for key, value in report.items() if key not in fields}


@pytest.mark.slow
def test_grading_the_same_notebook_twice_gives_identical_reports(notebooks, graded, tmp_path):
    from grader.classroom.autograde import autograde

    submissions = tmp_path / "submitted"
    for name in GRADED_AGAIN:
        folder = submissions / name.replace("/", "__") / paths.ASSIGNMENT
        folder.mkdir(parents=True)
        shutil.copyfile(notebooks[name], folder / paths.NOTEBOOK_NAME)
    first = autograde(submissions, tmp_path / "first", jobs=2, progress=False)
    second = autograde(submissions, tmp_path / "second", jobs=2, progress=False)
    for name in GRADED_AGAIN:
        student = name.replace("/", "__")
        assert not any(field in graded[name][0] for field in TIMING_FIELDS), "a direct report carries timing"
        assert all(field in first[student] for field in TIMING_FIELDS)
        assert _without(first[student], TIMING_FIELDS) == _without(second[student], TIMING_FIELDS), name
        direct = dict(graded[name][0], notebook=paths.NOTEBOOK_NAME)  # the file's name differs, nothing else
        assert _without(first[student], TIMING_FIELDS + AUTOGRADE_FIELDS) == direct, name
