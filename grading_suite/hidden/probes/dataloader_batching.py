"""Hidden probes of the notebook test cell ``test_dataloader_batching`` (Part 3a, DataLoader batching)."""

from itertools import islice

import numpy as np

from grading_suite.public.probes import probe
from grading_suite.public.probes.dataloader_batching import arrays_dataset, ids_of_epoch, seen_batch, taken
from grading_suite.public.probes.tensordataset import spec_array
from grading_suite.public.probes.support import (attempt, batch_ids, describe, exception_info, ids_dataset,
                                                 make_dataset)

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
    """The indices fetched from ids_dataset(size, ids) after taking one batch, then after two more,
    with the ids of the batches taken by then."""
    DataLoader = student.require("DataLoader")
    dataset = ids_dataset(student, size, ids)
    batches = iter(DataLoader(dataset, batch_size=batch_size))
    taken_ids = [batch_ids(next(batches))]
    after_one = {"fetched": list(dataset.fetched[:MAX_FETCHES]), "count": len(dataset.fetched),
                 "ids": list(taken_ids)}
    taken_ids += [batch_ids(next(batches)), batch_ids(next(batches))]
    after_three = {"fetched": list(dataset.fetched[:MAX_FETCHES]), "count": len(dataset.fetched),
                   "ids": list(taken_ids)}
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
    raised, else len(loader), the ids of one epoch and what ``loader.batch_size`` holds (its
    type name, and its value when it is a Python int); ``int_len`` and ``int_ids``: the same with
    batch_size=int(batch_size)."""
    DataLoader = student.require("DataLoader")
    try:
        loader = DataLoader(ids_dataset(student, size, ids), batch_size=np.dtype(dtype).type(batch_size))
    except Exception as error:  # noqa: BLE001 - the old test reported ValueError and TypeError itself
        return {"raised": exception_info(error)}
    length = len(loader)
    stored = getattr(loader, "batch_size", None)
    with_int = DataLoader(ids_dataset(student, size, ids), batch_size=int(batch_size))
    return {"raised": None, "len": length, "ids": ids_of_epoch(loader),
            "int_len": len(with_int), "int_ids": ids_of_epoch(with_int),
            "stored": {"type": type(stored).__name__[:60], "value": stored if type(stored) is int else None}}


def cases_dataset(student, arrays: list, single: bool):
    """``make_dataset`` over ``arrays`` (specs); with ``single`` each sample is the Tensor of
    the first array alone instead of a tuple."""
    base = make_dataset(student, *(spec_array(spec) for spec in arrays))
    if not single:
        return base

    class SingleTensorDataset(type(base)):
        def __getitem__(self, index):
            return super().__getitem__(index)[0]

    return SingleTensorDataset()


@probe
def collation_cases(student, cases: list):
    """For each case ``{"arrays": [spec, ...], "single": bool, "batch_size": int, "drop_last": bool}``:
    ``{"len": len(loader), "batches": [description, ...]}`` of one epoch (at most size + 3
    batches), or ``{"raised": info, "stage": "DataLoader(...)" | "len" | "iteration"}``."""
    DataLoader = student.require("DataLoader")
    results = []
    for case in cases:
        dataset = cases_dataset(student, case["arrays"], case["single"])
        stage = "DataLoader(...)"
        try:
            loader = DataLoader(dataset, batch_size=case["batch_size"], drop_last=case["drop_last"])
            stage = "len"
            length = len(loader)
            stage = "iteration"
            batches = [describe(batch) for batch in taken(loader, len(dataset) + 3)]
        except Exception as error:  # noqa: BLE001 - the observation is what was raised, and where
            results.append({"raised": exception_info(error), "stage": stage,
                            "len": length if stage == "iteration" else None})
            continue
        results.append({"len": length, "batches": batches})
    return results


@probe
def len_fetches(student, size: int, batch_size: int, ids: list | None = None):
    """What ``len(loader)`` fetched from ids_dataset(size, ids): for a plain loader, a
    shuffled one and one with drop_last, the length and the number of fetches it made."""
    DataLoader = student.require("DataLoader")
    seen = {}
    for name, options in (("plain", {}), ("shuffled", {"shuffle": True}), ("drop_last", {"drop_last": True})):
        dataset = ids_dataset(student, size, ids)
        loader = DataLoader(dataset, batch_size=batch_size, **options)
        before = len(dataset.fetched)
        length = len(loader)
        seen[name] = {"len": length, "fetched": len(dataset.fetched) - before}
    return seen


@probe
def concurrent_epochs(student, size: int, batch_size: int, ids: list, shuffle: bool, seed: int | None = None):
    """Two loops over one loader at once: the ids of ``zip(loader, loader)`` (pairs of
    batches) and of nested loops (each outer batch with the inner loop's whole epoch), and
    for comparison one epoch of a loader looped over alone."""
    DataLoader = student.require("DataLoader")
    limit = size + 2
    alone = ids_of_epoch_limited(DataLoader(ids_dataset(student, size, ids), batch_size=batch_size,
                                            shuffle=shuffle, seed=seed), limit)
    loader = DataLoader(ids_dataset(student, size, ids), batch_size=batch_size, shuffle=shuffle, seed=seed)
    zipped = [[batch_ids(first), batch_ids(second)] for first, second in islice(zip(loader, loader), limit)]
    loader = DataLoader(ids_dataset(student, size, ids), batch_size=batch_size, shuffle=shuffle, seed=seed)
    nested = []
    for outer in islice(loader, limit):
        nested.append({"outer": batch_ids(outer), "inner": ids_of_epoch_limited(loader, limit)})
    return {"alone": alone, "zip": zipped, "nested": nested}


def ids_of_epoch_limited(loader, limit: int) -> list:
    """The ids of every batch of one epoch (at most ``limit`` batches)."""
    return [batch_ids(batch) for batch in taken(loader, limit)]


@probe
def both_ways(student, size: int, batch_size: int, ids: list | None = None, epochs: bool = True):
    """The same dataset loaded without and with drop_last: for each, ``len(loader)`` and (with
    ``epochs``) the ids of every batch of one epoch, or what it raised (``{"keep": {...}, "drop": {...}}``)."""
    DataLoader = student.require("DataLoader")
    seen = {}
    for name, drop_last in (("keep", False), ("drop", True)):
        loader = DataLoader(ids_dataset(student, size, ids), batch_size=batch_size, drop_last=drop_last)
        seen[name] = {"len": len(loader), "ids": None}
        if epochs:
            try:
                seen[name]["ids"] = ids_of_epoch(loader)
            except Exception as error:  # noqa: BLE001 - one way may raise while the other works
                seen[name]["raised"] = exception_info(error)
    return seen
