"""Part 1, Dataset (10 points): abstract, and iteration yields each sample once, in order, lazily.

The hidden cases of this cell; its public checks, shipped to students, are in
``public/test_dataset.py`` and count toward the same points."""

import pytest

from grading_suite.public.checks import distinct_ids, expect, expect_raised, returned

pytestmark = pytest.mark.dataset


@pytest.mark.points(2)
def test_dataset_is_abstract(observe):
    """Dataset() and a subclass missing __getitem__ or __len__ raise TypeError."""
    values = distinct_ids(observe.draw, observe.draw.randint(2, 6), low=10, high=1000)
    seen = observe("dataset.abstract_instances", values=values)
    expect_raised(seen["base"], "TypeError", "Dataset() should raise TypeError because Dataset is abstract")
    expect_raised(seen["only_length"], "TypeError",
                  "a Dataset subclass without __getitem__ should not be instantiable (TypeError)")
    first = returned(seen["complete_first"])
    expect(first == values[0], f"a complete subclass should be usable: its first sample should be {values[0]}, got "
                               f"{first if 'returned' in seen['complete_first'] else 'an exception'}")


@pytest.mark.points(3)
def test_iteration_stops_at_len(observe):
    """Iteration stops after len(dataset) samples even if __getitem__ accepts more indices."""
    size = observe.draw.randint(2, 9)
    values = distinct_ids(observe.draw, size, low=10, high=1000)  # __getitem__ wraps: self[size] is values[0] again
    got = observe("dataset.samples_iterated", values=values, size=size, limit=2 * size + observe.draw.randint(1, 5))
    expect(got == values,
           f"a dataset of length {size} should yield its {size} samples {values}, got {len(got)}: "
           f"{got[:12]}{'...' if len(got) > 12 else ''}; loop over range(len(self)) in Dataset.__iter__")


@pytest.mark.points(2)
def test_iteration_is_lazy(observe):
    """Iteration fetches one sample per step (a generator), not the whole dataset up front."""
    size = observe.draw.randint(500, 1500)
    values = distinct_ids(observe.draw, 5, low=10, high=1000)
    seen = observe("dataset.lazy_steps", values=values, size=size)
    expect(seen["first"] == values[0], f"the first sample should be {values[0]}, got {seen['first']!r}")
    expect(seen["after_first"] == [0] and seen["count_after_first"] == 1,
           f"taking the first sample of a dataset of length {size} should fetch only index 0, but __getitem__ "
           f"was called {seen['count_after_first']} times; make Dataset.__iter__ a generator")
    expect(seen["after_second"] == [0, 1], "the second step should fetch index 1 only")
