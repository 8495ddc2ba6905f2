"""Public checks of the notebook test cell ``test_dataset`` (Part 1, Dataset).

These are a few of the tests that grade this cell; more hidden tests run at
grading time, so passing these does not guarantee full points.

The inputs (sizes and sample values) are drawn from ``observe.draw``: your own
run always draws the same ones, the grader draws others."""

import pytest

from .checks import distinct_ids, expect

pytestmark = pytest.mark.dataset


@pytest.mark.points(3)
def test_iteration_yields_samples_in_order(observe):
    """Iterating a dataset yields self[0], ..., self[len - 1] in order."""
    size = observe.draw.randint(3, 12)
    extra = observe.draw.randint(5, 10)
    # samples past the length exist too (the probe's __getitem__ never raises): iteration must stop at len
    values = distinct_ids(observe.draw, size + extra, low=10, high=1000)
    got = observe("dataset.samples_iterated", values=values, size=size, limit=size + extra)
    expect(got == values[:size],
           f"iterating a dataset of length {size} with samples {values[:size]} should give them in this order, "
           f"got {got}; check Dataset.__iter__")
    empty = observe("dataset.samples_iterated", values=values, size=0, limit=extra)
    expect(empty == [], f"iterating an empty dataset should yield nothing, got {empty}")
