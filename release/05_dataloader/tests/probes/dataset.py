"""Probes of the notebook test cell ``test_dataset`` (Part 1, Dataset)."""

from itertools import islice

from . import probe
from .support import plain


def listed(Dataset, values, size):
    """A dataset of length ``size`` whose sample i is ``values[i % len(values)]``: its
    __getitem__ answers every integer index, even past the length.  ``.fetched`` lists
    the indices asked for."""

    class Listed(Dataset):
        def __init__(self):
            self.fetched = []

        def __len__(self):
            return size

        def __getitem__(self, index):
            self.fetched.append(index)
            return values[index % len(values)]

    return Listed()


@probe
def samples_iterated(student, values: list, size: int, limit: int):
    """The first ``limit`` samples yielded by iterating ``listed(Dataset, values, size)``."""
    dataset = listed(student.require("Dataset"), values, size)
    return [plain(sample) for sample in islice(dataset, limit)]
