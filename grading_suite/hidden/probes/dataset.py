"""Hidden probes of the notebook test cell ``test_dataset`` (Part 1, Dataset)."""

from grading_suite.public.probes import probe
from grading_suite.public.probes.dataset import squares
from grading_suite.public.probes.support import attempt, plain


@probe
def abstract_instances(student):
    """Try Dataset(), a subclass with only __len__, and a complete subclass."""
    Dataset = student.require("Dataset")

    class OnlyLength(Dataset):
        def __len__(self):
            return 3

    return {"base": attempt(Dataset), "only_length": attempt(OnlyLength),
            "complete_first": attempt(lambda: next(iter(squares(Dataset, 3))))}


@probe
def wrapping_iterated(student, limit: int):
    """Iterate a dataset of length 4 whose __getitem__ never raises; at most ``limit`` samples."""
    Dataset = student.require("Dataset")

    class Wrapping(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, index):
            return index % 4

    got = []
    for sample in Wrapping():
        got.append(plain(sample))
        if len(got) >= limit:
            break
    return got


@probe
def lazy_steps(student):
    """Fetches made by taking the first and the second sample of Squares(1000)."""
    dataset = squares(student.require("Dataset"), 1000)
    iterator = iter(dataset)
    first = plain(next(iterator))
    after_first = list(dataset.fetched[:20])
    count_after_first = len(dataset.fetched)
    next(iterator)
    return {"first": first, "after_first": after_first, "count_after_first": count_after_first,
            "after_second": list(dataset.fetched[:20])}
