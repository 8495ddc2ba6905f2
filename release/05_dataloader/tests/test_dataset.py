"""Public checks of the notebook test cell ``test_dataset`` (Part 1, Dataset).

These are a few of the tests that grade this cell; more hidden tests run at
grading time, so passing these does not guarantee full points."""

import pytest

from .checks import expect

pytestmark = pytest.mark.dataset


@pytest.mark.points(3)
def test_iteration_yields_samples_in_order(observe):
    """Iterating a dataset yields self[0], ..., self[len - 1] in order."""
    got = observe("dataset.squares_iterated", size=6, limit=20)
    expect(got == [0, 1, 4, 9, 16, 25],
           f"iterating Squares(6) should give [0, 1, 4, 9, 16, 25], got {got}; check Dataset.__iter__")
    empty = observe("dataset.squares_iterated", size=0, limit=5)
    expect(empty == [], f"iterating an empty dataset should yield nothing, got {empty}")
