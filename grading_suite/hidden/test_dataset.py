"""Part 1, Dataset (10 points): abstract, and iteration yields each sample once, in order, lazily.

The hidden cases of this cell; its public checks, shipped to students, are in
``public/test_dataset.py`` and count toward the same points."""

import pytest

from grading_suite.public.checks import expect, expect_raised, returned

pytestmark = pytest.mark.dataset


@pytest.mark.points(2)
def test_dataset_is_abstract(observe):
    """Dataset() and a subclass missing __getitem__ or __len__ raise TypeError."""
    seen = observe("dataset.abstract_instances")
    expect_raised(seen["base"], "TypeError", "Dataset() should raise TypeError because Dataset is abstract")
    expect_raised(seen["only_length"], "TypeError",
                  "a Dataset subclass without __getitem__ should not be instantiable (TypeError)")
    first = returned(seen["complete_first"])
    expect(first == 0, "a complete subclass should be usable: its first sample should be 0, got "
                       f"{first if 'returned' in seen['complete_first'] else 'an exception'}")


@pytest.mark.points(3)
def test_iteration_stops_at_len(observe):
    """Iteration stops after len(dataset) samples even if __getitem__ accepts more indices."""
    got = observe("dataset.wrapping_iterated", limit=11)
    expect(got == [0, 1, 2, 3],
           f"a dataset of length 4 should yield 4 samples, got {got[:10]}{'...' if len(got) > 10 else ''}; "
           "loop over range(len(self)) in Dataset.__iter__")


@pytest.mark.points(2)
def test_iteration_is_lazy(observe):
    """Iteration fetches one sample per step (a generator), not the whole dataset up front."""
    seen = observe("dataset.lazy_steps")
    expect(seen["first"] == 0, f"the first sample should be 0, got {seen['first']!r}")
    expect(seen["after_first"] == [0] and seen["count_after_first"] == 1,
           f"taking the first sample should fetch only index 0, but __getitem__ was called "
           f"{seen['count_after_first']} times; make Dataset.__iter__ a generator")
    expect(seen["after_second"] == [0, 1], "the second step should fetch index 1 only")
