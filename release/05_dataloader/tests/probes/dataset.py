"""Probes of the notebook test cell ``test_dataset`` (Part 1, Dataset)."""

from itertools import islice

from . import probe
from .support import plain


def squares(Dataset, size):
    """A dataset of ``size`` samples, sample i = i * i; ``.fetched`` lists the indices asked for."""

    class Squares(Dataset):
        def __init__(self):
            self.fetched = []

        def __len__(self):
            return size

        def __getitem__(self, index):
            self.fetched.append(index)
            return index * index

    return Squares()


@probe
def squares_iterated(student, size: int, limit: int):
    """The first ``limit`` samples yielded by iterating Squares(size)."""
    dataset = squares(student.require("Dataset"), size)
    return [plain(sample) for sample in islice(dataset, limit)]
