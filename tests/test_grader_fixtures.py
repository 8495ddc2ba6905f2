"""The hidden grader against many hand-written submissions: every buggy one
loses points exactly in the parts it breaks; every correct one gets 100.
Each is graded with the inputs the grader draws for it, and every other one
also with another draw, so no verdict hangs on one draw of the probes'
inputs.  All are graded once per module, two at a time, as autograde does."""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pytest

from grader.grade import grade_notebook
from tests.fixture_submissions import all_fixtures
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
def graded(tmp_path_factory) -> dict[str, list[dict]]:
    """fixture name -> its reports under its own draw and, for every other
    fixture (alternating, to keep the suite short), under another."""
    folder = tmp_path_factory.mktemp("fixture-notebooks")
    paths = {fixture.name: str(fixture.write(folder)) for fixture in BUGGY + CORRECT}
    twice = [index % 2 == 0 for index in range(len(paths))]
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("forkserver")) as pool:
        return dict(pool.map(_grade, paths, paths.values(), twice))


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
