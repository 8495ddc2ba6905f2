"""The hidden grader against many hand-written submissions: every buggy one
loses points exactly in the parts it breaks; every correct one gets 100.
Each is graded twice, with the inputs the grader draws for it and with
another draw, so no verdict hangs on one draw of the probes' inputs."""

import pytest

from grader.grade import grade_notebook
from tests.fixture_submissions import all_fixtures
from tests.test_attacks import leaked

BUGGY = all_fixtures("buggy")
CORRECT = all_fixtures("correct")


def assert_no_hidden_source(report):
    """No line of the judgements, the reference or source/ appears in any message."""
    for part in report["parts"]:
        for test in part["tests"]:
            assert leaked(test["message"]) == [], f"{test['name']} message quotes a secret line"


def _reports(fixture, tmp_path):
    path = fixture.write(tmp_path)
    return [grade_notebook(path), grade_notebook(path, key=f"another draw for {fixture.name}".encode())]


def _scores(report):
    return {part["name"]: (part["score"], part["max_score"]) for part in report["parts"]}


@pytest.mark.slow
@pytest.mark.parametrize("fixture", BUGGY, ids=[f.name for f in BUGGY])
def test_buggy_submission_loses_points_only_where_it_is_wrong(fixture, tmp_path):
    for report in _reports(fixture, tmp_path):
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
def test_correct_alternative_gets_full_marks(fixture, tmp_path):
    for report in _reports(fixture, tmp_path):
        _check_full_marks(fixture, report)


def _check_full_marks(fixture, report):
    failed = [t["name"] + ": " + t["message"] for p in report["parts"] for t in p["tests"] if t["status"] != "passed"]
    assert report["score"] == report["max_score"] == 100, f"{fixture.name} lost points: {failed}"


def test_there_are_enough_fixtures():
    assert len(BUGGY) >= 25 and len(CORRECT) >= 8, (len(BUGGY), len(CORRECT))
    for fixture in BUGGY:
        assert fixture.breaks and fixture.description, fixture.name
    for fixture in CORRECT:
        assert fixture.breaks == [] and fixture.description, fixture.name
