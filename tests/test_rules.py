"""The rule table (grading_suite/rules/*.toml, grader/rules.py): every rule the
release tells students is enforced by a graded test, and every graded test
enforces a rule the release tells."""

import pytest

from grader.grading import suite
from grader.parts import TEST_CELL_PARTS
from grader.rules import load_rules
from tests.helpers import normalised, release_text

RULES = load_rules()
TESTS = suite.collect()


def test_every_notebook_test_cell_has_rules():
    assert {rule.cell for rule in RULES} == set(TEST_CELL_PARTS)


def test_rule_ids_are_unique():
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_each_rule_is_told_in_the_release(rule):
    text = release_text()
    assert rule.told, f"{rule.id} quotes no phrase of the release"
    missing = [phrase for phrase in rule.told if normalised(phrase) not in text]
    assert not missing, f"{rule.id}: the release notebook does not say {missing}"


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_each_rule_is_enforced_by_tests_of_its_cell(rule):
    of_cell = {test.name for test in TESTS if test.cell == rule.cell}
    assert rule.tests, f"{rule.id} names no test"
    unknown = [name for name in rule.tests if name not in of_cell]
    assert not unknown, f"{rule.id}: no graded test {unknown} in the cell {rule.cell}"


def test_every_graded_test_enforces_a_rule():
    named = {(rule.cell, name) for rule in RULES for name in rule.tests}
    orphans = [test.nodeid for test in TESTS if (test.cell, test.name) not in named]
    assert not orphans, f"graded tests that enforce no rule of the table: {orphans}"


def test_the_table_lists_each_rule_with_its_tests_points():
    from grader.rules import table

    text = table(RULES, {test.name: test.points for test in TESTS})
    assert text.count("\n") == len(RULES) + 1
    for test in TESTS[:5]:
        assert f"`{test.name}` ({test.points:g})" in text
