"""Hidden probes of the notebook test cell ``test_dataloader_shuffle`` (Part 3b, DataLoader shuffling)."""

import random

import numpy as np

from grading_suite.public.probes import probe
from grading_suite.public.probes.dataloader_shuffle import id_limit, visit_order
from grading_suite.public.probes.support import (as_array, batch_parts, dataset_base, ids_dataset, make_dataset,
                                                  peak_bytes)
from tinytorch.core.tensor import Tensor


def global_states() -> dict:
    """Python's and NumPy's global random states as plain data."""
    version, key, gauss = random.getstate()
    name, keys, position, has_gauss, cached = np.random.get_state()
    return {"python": [int(version), np.array(key, dtype=np.int64), gauss],
            "numpy": [str(name), np.array(keys, dtype=np.uint32), int(position), int(has_gauss), float(cached)]}


def seed_globals(seed: int) -> None:
    """Seed Python's and NumPy's global random states with ``seed``."""
    random.seed(seed)
    np.random.seed(seed)


@probe
def seeded_twins(student, ids: list, batch_size: int, seed: int, other_seed: int):
    """Loaders with seeds ``seed``, ``seed`` and ``other_seed`` over the samples
    ``ids``: two epochs of the first, global draws, two epochs of its twin, one
    epoch of the third."""
    DataLoader = student.require("DataLoader")
    first, twin, other = (DataLoader(ids_dataset(student, len(ids), ids), batch_size=batch_size, shuffle=True,
                                     seed=loader_seed) for loader_seed in (seed, seed, other_seed))
    limit = id_limit(len(ids))
    epochs = [visit_order(first, limit), visit_order(first, limit)]
    np.random.random(), random.random()  # global draws in between must not matter
    twin_epochs = [visit_order(twin, limit), visit_order(twin, limit)]
    return {"epochs": epochs, "twin_epochs": twin_epochs, "other": visit_order(other, limit)}


@probe
def global_states_around_seeded_loader(student, ids: list, batch_size: int, seed: int, global_seed: int):
    """The global random states after seeding them with ``global_seed``, then
    building a shuffled loader with ``seed`` over the samples ``ids`` and
    iterating it twice."""
    DataLoader = student.require("DataLoader")
    dataset = ids_dataset(student, len(ids), ids)
    seed_globals(global_seed)
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, seed=seed)
    visit_order(loader, id_limit(len(ids)))
    visit_order(loader, id_limit(len(ids)))
    return global_states()


@probe
def numpy_seeded_runs(student, ids: list, batch_size: int, runs: list):
    """For each ``[numpy_seed, python_seed]`` of ``runs``: seed np.random with
    ``numpy_seed`` and Python's random with ``python_seed``, build an unseeded
    shuffled loader over the samples ``ids``, take two epochs."""
    DataLoader = student.require("DataLoader")
    result = []
    for numpy_seed, python_seed in runs:
        dataset = ids_dataset(student, len(ids), ids)
        random.seed(python_seed)
        np.random.seed(numpy_seed)
        loader = DataLoader(dataset, batch_size=batch_size, shuffle=True)
        result.append([visit_order(loader, id_limit(len(ids))), visit_order(loader, id_limit(len(ids)))])
    return result


def tagged_dataset(student, ids: list):
    """Sample i is (Tensor([ids[i]]), Tensor([k])) with k the number of fetches
    before this one (int64 both), so a batch tells which fetch gave each sample;
    ``.fetches`` counts them."""

    class TaggedDataset(dataset_base(student)):
        def __init__(self):
            self.fetches = 0

        def __len__(self):
            return len(ids)

        def __getitem__(self, index):
            tag = self.fetches
            self.fetches += 1
            return (Tensor(np.array([ids[index]], dtype=np.int64)), Tensor(np.array([tag], dtype=np.int64)))

    TaggedDataset.__name__ = "TaggedDataset"
    return TaggedDataset()


def tagged_batch(batch) -> dict:
    """The sample ids and fetch tags of a batch of a ``tagged_dataset``."""
    parts = batch_parts(batch)
    return {"ids": [int(v) for v in as_array(parts[0]).reshape(-1)],
            "tags": [int(v) for v in as_array(parts[1]).reshape(-1)] if len(parts) > 1 else []}


@probe
def restarted_epochs(student, ids: list, batch_size: int, seeds: list, firsts: int, unshuffled: bool = False):
    """For each seed of ``seeds`` (None or an int): a shuffled loader over a
    ``tagged_dataset`` of the samples ``ids``; ``firsts`` times the first batch
    of a new ``iter(loader)`` (each left unfinished), then two whole epochs with
    the fetch count at the start of each.  With ``unshuffled``, the same for one
    more loader, built with shuffle=False, last."""
    DataLoader = student.require("DataLoader")
    result = []
    for shuffle, seed in [(True, seed) for seed in seeds] + ([(False, None)] if unshuffled else []):
        dataset = tagged_dataset(student, ids)
        loader = DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, seed=seed)
        first_batches = [tagged_batch(next(iter(loader)))["ids"] for _ in range(firsts)]
        epochs = []
        for _ in range(2):
            start, seen = dataset.fetches, {"ids": [], "tags": []}
            for batch in loader:
                tagged = tagged_batch(batch)
                seen["ids"] += tagged["ids"]
                seen["tags"] += tagged["tags"]
                if len(seen["ids"]) > id_limit(len(ids)):
                    break
            epochs.append({"start": start, **seen})
        result.append({"firsts": first_batches, "epochs": epochs})
    return result


@probe
def seeded_epochs_of_cases(student, cases: list):
    """For each ``[size, batch_size, seed, drop_last, first_id]`` of ``cases``: two
    epochs of a shuffled loader with that seed over the samples first_id ..
    first_id + size - 1, and two epochs of a second loader with the same seed."""
    DataLoader = student.require("DataLoader")
    result = []
    for size, batch_size, seed, drop_last, first_id in cases:
        ids = list(range(first_id, first_id + size))
        loaders = [DataLoader(ids_dataset(student, size, ids), batch_size=batch_size, shuffle=True,
                              drop_last=drop_last, seed=seed) for _ in range(2)]
        result.append([[visit_order(loader, id_limit(size)) for _ in range(2)] for loader in loaders])
    return result


@probe
def data_after_shuffling(student, images: list, labels: list, batch_size: int):
    """Iterate a shuffled loader over (images float32, labels int64) three
    epochs; say whether the dataset still holds the very same arrays, and
    return their content."""
    DataLoader = student.require("DataLoader")
    images = np.array(images, dtype=np.float32)
    labels = np.array(labels, dtype=np.int64)
    dataset = make_dataset(student, images, labels)
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True)
    for _ in range(3):
        for count, _batch in enumerate(loader):
            if count > 2 * len(labels):
                break
    same = {"arrays_images": dataset.arrays[0] is images, "arrays_labels": dataset.arrays[1] is labels,
            "tensor_images": dataset.tensors[0].data is images, "tensor_labels": dataset.tensors[1].data is labels}
    return {"same": same, "images": np.array(images, copy=True), "labels": np.array(labels, copy=True)}


@probe
def first_batch_peak(student, ids: list, seed):
    """Peak bytes allocated by building a shuffled loader (batch_size=8) over
    len(ids) samples of 4 KB (sample i: 1024 float32 copies of ids[i]) and
    taking its first batch, and the distinct values of that batch's first element."""
    DataLoader = student.require("DataLoader")
    rows = np.repeat(np.array(ids, dtype=np.float32).reshape(-1, 1), 1024, axis=1)
    dataset = make_dataset(student, rows)
    batches = []
    peak = peak_bytes(lambda: batches.append(next(iter(DataLoader(dataset, batch_size=8, shuffle=True, seed=seed)))))
    values = np.unique(np.asarray(as_array(batch_parts(batches[0])[0]), dtype=np.float64))
    return {"peak": peak, "values": [int(value) if value.is_integer() else float(value) for value in values]}


@probe
def unshuffled_orders(student, ids: list, batch_size: int, global_seed: int, seed: int):
    """After seeding the global states with ``global_seed``, two epochs of
    DataLoader(ds, batch_size) and of DataLoader(ds, batch_size, shuffle=False,
    seed=seed) over the samples ``ids``."""
    DataLoader = student.require("DataLoader")
    dataset = ids_dataset(student, len(ids), ids)
    seed_globals(global_seed)
    loaders = [DataLoader(dataset, batch_size=batch_size),
               DataLoader(dataset, batch_size=batch_size, shuffle=False, seed=seed)]
    return [[visit_order(loader, id_limit(len(ids))) for _ in range(2)] for loader in loaders]


@probe
def training_batches(student, features: list, labels: list, batch_size: int, epochs: int):
    """The (x, y) batches of ``epochs`` epochs of a shuffled loader over
    (features float32, labels int64), as float64 arrays."""
    DataLoader = student.require("DataLoader")
    features = np.array(features, dtype=np.float32)
    labels = np.array(labels, dtype=np.int64)
    loader = DataLoader(make_dataset(student, features, labels), batch_size=batch_size, shuffle=True)
    result = []
    for _ in range(epochs):
        batches = []
        for batch in loader:
            x_part, y_part = batch_parts(batch)[:2]
            batches.append((as_array(x_part).astype(np.float64), as_array(y_part).astype(np.float64)))
            if len(batches) > 2 * len(labels):
                break
        result.append(batches)
    return result
