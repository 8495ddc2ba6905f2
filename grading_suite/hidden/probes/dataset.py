"""Hidden probes of the notebook test cell ``test_dataset`` (Part 1, Dataset)."""

from grading_suite.public.probes import probe
from grading_suite.public.probes.dataset import listed
from grading_suite.public.probes.support import attempt, plain


@probe
def abstract_instances(student, values: list):
    """Try Dataset(), a subclass with only __len__, and the first sample of a complete
    subclass over ``values`` (``listed(Dataset, values, len(values))``)."""
    Dataset = student.require("Dataset")

    class OnlyLength(Dataset):
        def __len__(self):
            return 3

    return {"base": attempt(Dataset), "only_length": attempt(OnlyLength),
            "complete_first": attempt(lambda: next(iter(listed(Dataset, values, len(values)))))}


@probe
def lazy_steps(student, values: list, size: int):
    """Fetches made by taking the first and the second sample of ``listed(Dataset, values, size)``."""
    dataset = listed(student.require("Dataset"), values, size)
    iterator = iter(dataset)
    first = plain(next(iterator))
    after_first = list(dataset.fetched[:20])
    count_after_first = len(dataset.fetched)
    next(iterator)
    return {"first": first, "after_first": after_first, "count_after_first": count_after_first,
            "after_second": list(dataset.fetched[:20])}
