"""Probes of the notebook test cell ``test_dataloader_batching`` (Part 3a, DataLoader batching).

Datasets never come from the student's TensorDataset (``support.make_dataset``).
Datasets of sample ids (``support.ids_dataset``) tell which samples a batch holds."""

import numpy as np

from . import probe
from .support import as_array, batch_ids, batch_parts, describe, exception_info, ids_dataset, make_dataset

MAX_BATCHES = 1000  # batches taken from one epoch at most (a loader that never stops)


def arrays_dataset(student, arrays: list):
    """``make_dataset`` over arrays given as ``{"values": nested list, "dtype": name}``."""
    return make_dataset(student, *(np.array(spec["values"], dtype=spec["dtype"]) for spec in arrays))


def taken(loader, limit: int = MAX_BATCHES) -> list:
    """The batches of one epoch of ``loader`` (at most ``limit``)."""
    batches = []
    for batch in loader:
        batches.append(batch)
        if len(batches) >= limit:
            break
    return batches


def ids_of_epoch(loader) -> list:
    """The sample ids of every batch of one epoch, one list per batch."""
    return [batch_ids(batch) for batch in taken(loader)]


def ids_loader(student, size: int, batch_size: int, drop_last: bool, ids: list | None):
    """The student's DataLoader over ``ids_dataset(size, ids)``; ``drop_last`` is passed only when
    True, so a loader without that option still answers the probes that do not use it."""
    DataLoader = student.require("DataLoader")
    dataset = ids_dataset(student, size, ids)
    if drop_last:
        return DataLoader(dataset, batch_size=batch_size, drop_last=True)
    return DataLoader(dataset, batch_size=batch_size)


def seen_batch(batch) -> dict:
    """A batch as described, and the arrays of its elements (``as_array`` of each)."""
    return {"batch": describe(batch), "arrays": [describe(as_array(part)) for part in batch_parts(batch)]}


@probe
def loader_len(student, size: int, batch_size: int, drop_last: bool = False, ids: list | None = None):
    """len(DataLoader(ids_dataset(size, ids), batch_size, drop_last))."""
    return len(ids_loader(student, size, batch_size, drop_last, ids))


@probe
def epoch_batches(student, arrays: list, batch_size: int):
    """Every batch of one epoch over make_dataset(*arrays): its description and its elements' arrays."""
    DataLoader = student.require("DataLoader")
    return [seen_batch(batch) for batch in taken(DataLoader(arrays_dataset(student, arrays), batch_size=batch_size))]


@probe
def epoch_ids_and_len(student, size: int, batch_size: int, drop_last: bool = False, ids: list | None = None):
    """``{"len": len(loader), "ids": the ids of every batch of one epoch}`` over ids_dataset(size, ids);
    ``{"len": ..., "raised": info}`` when the epoch raised."""
    loader = ids_loader(student, size, batch_size, drop_last, ids)
    length = len(loader)
    try:
        return {"len": length, "ids": ids_of_epoch(loader)}
    except Exception as error:  # noqa: BLE001 - the judgement weighs it against len(loader)
        return {"len": length, "raised": exception_info(error)}
