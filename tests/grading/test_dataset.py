"""Part 1, Dataset (10 points): abstract, and iteration yields each sample once, in order, lazily.

The hidden cases of this cell; its public checks, shipped to students, are in
``tests/public/test_dataset.py`` and count toward the same points."""

import pytest

from tests.public.support import expect, expect_raises
from tests.public.test_dataset import _squares

pytestmark = pytest.mark.dataset


@pytest.mark.points(2)
def test_dataset_is_abstract(Dataset):
    """Dataset() and a subclass missing __getitem__ or __len__ raise TypeError."""
    expect_raises(TypeError, Dataset, "Dataset() should raise TypeError because Dataset is abstract")

    class OnlyLength(Dataset):
        def __len__(self):
            return 3

    expect_raises(TypeError, OnlyLength,
                  "a Dataset subclass without __getitem__ should not be instantiable (TypeError)")
    first = next(iter(_squares(Dataset, 3)))
    expect(first == 0, f"a complete subclass should be usable: its first sample should be 0, got {first!r}")


@pytest.mark.points(3)
def test_iteration_stops_at_len(Dataset):
    """Iteration stops after len(dataset) samples even if __getitem__ accepts more indices."""
    class Wrapping(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, index):
            return index % 4  # never raises IndexError

    got = []
    for sample in Wrapping():
        got.append(sample)
        if len(got) > 10:
            break
    expect(got == [0, 1, 2, 3],
           f"a dataset of length 4 should yield 4 samples, got {got[:10]}{'...' if len(got) > 10 else ''}; "
           "loop over range(len(self)) in Dataset.__iter__")


@pytest.mark.points(2)
def test_iteration_is_lazy(Dataset):
    """Iteration fetches one sample per step (a generator), not the whole dataset up front."""
    squares = _squares(Dataset, 1000)
    iterator = iter(squares)
    first = next(iterator)
    expect(first == 0, f"the first sample should be 0, got {first!r}")
    expect(squares.fetched == [0],
           f"taking the first sample should fetch only index 0, but __getitem__ was called "
           f"{len(squares.fetched)} times; make Dataset.__iter__ a generator")
    next(iterator)
    expect(squares.fetched == [0, 1], "the second step should fetch index 1 only")
