"""Hidden probes of the notebook test cell ``test_dataloader_batching`` (Part 3a, DataLoader batching)."""

import numpy as np

from grading_suite.public.probes import probe
from grading_suite.public.probes.dataloader_batching import arrays_dataset, ids_of_epoch, seen_batch, taken
from grading_suite.public.probes.support import attempt, exception_info, ids_dataset

MAX_FETCHES = 1000  # indices of ``.fetched`` sent back at most


@probe
def single_tensor_epoch(student, arrays: list, batch_size: int):
    """Every batch of one epoch over a dataset whose samples are single Tensors (not tuples)."""
    DataLoader = student.require("DataLoader")
    base = arrays_dataset(student, arrays)

    class SingleTensorDataset(type(base)):
        def __getitem__(self, index):
            return super().__getitem__(index)[0]

    return [seen_batch(batch) for batch in taken(DataLoader(SingleTensorDataset(), batch_size=batch_size))]


@probe
def lazy_fetches(student, size: int, batch_size: int, ids: list | None = None):
    """The indices fetched from ids_dataset(size, ids) after taking one batch, then after two more."""
    DataLoader = student.require("DataLoader")
    dataset = ids_dataset(student, size, ids)
    batches = iter(DataLoader(dataset, batch_size=batch_size))
    next(batches)
    after_one = {"fetched": list(dataset.fetched[:MAX_FETCHES]), "count": len(dataset.fetched)}
    next(batches)
    next(batches)
    after_three = {"fetched": list(dataset.fetched[:MAX_FETCHES]), "count": len(dataset.fetched)}
    return {"after_one": after_one, "after_three": after_three}


@probe
def repeated_epochs(student, size: int, batch_size: int, ids: list | None = None):
    """The ids of two full epochs of one loader over ids_dataset(size, ids), then of a full
    epoch after a half-used iterator."""
    DataLoader = student.require("DataLoader")
    loader = DataLoader(ids_dataset(student, size, ids), batch_size=batch_size)
    first = ids_of_epoch(loader)
    second = ids_of_epoch(loader)
    partial = iter(loader)
    next(partial)
    third = ids_of_epoch(loader)
    return {"first": first, "second": second, "third": third}


@probe
def construct(student, size: int, batch_size, ids: list | None = None):
    """Try DataLoader(ids_dataset(size, ids), batch_size=batch_size)."""
    DataLoader = student.require("DataLoader")
    dataset = ids_dataset(student, size, ids)
    try:
        loader = DataLoader(dataset, batch_size=batch_size)
    except Exception as error:  # noqa: BLE001 - the observation is what was raised
        return {"raised": exception_info(error)}
    return attempt(lambda: loader)


@probe
def numpy_batch_size(student, size: int, batch_size: int, dtype: str, ids: list | None = None):
    """DataLoader(ids_dataset(size, ids), batch_size=np.<dtype>(batch_size)): what construction
    raised, else len(loader) and the ids of one epoch."""
    DataLoader = student.require("DataLoader")
    try:
        loader = DataLoader(ids_dataset(student, size, ids), batch_size=np.dtype(dtype).type(batch_size))
    except Exception as error:  # noqa: BLE001 - the old test reported ValueError and TypeError itself
        return {"raised": exception_info(error)}
    length = len(loader)
    return {"raised": None, "len": length, "ids": ids_of_epoch(loader)}
