"""Public checks of the notebook test cell ``test_dataset`` (Part 1, Dataset).

These are a few of the tests that grade this cell; more hidden tests run at
grading time, so passing these does not guarantee full points."""

from itertools import islice

import pytest

from .support import expect

pytestmark = pytest.mark.dataset


def _squares(Dataset, size):
    class Squares(Dataset):
        def __init__(self):
            self.fetched = []

        def __len__(self):
            return size

        def __getitem__(self, index):
            self.fetched.append(index)
            return index * index

    return Squares()


@pytest.mark.points(3)
def test_iteration_yields_samples_in_order(Dataset):
    """Iterating a dataset yields self[0], ..., self[len - 1] in order."""
    got = list(islice(_squares(Dataset, 6), 20))
    expect(got == [0, 1, 4, 9, 16, 25],
           f"iterating Squares(6) should give [0, 1, 4, 9, 16, 25], got {got}; check Dataset.__iter__")
    empty = list(islice(_squares(Dataset, 0), 5))
    expect(empty == [], f"iterating an empty dataset should yield nothing, got {empty}")
