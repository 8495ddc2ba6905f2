"""Hidden probes of the notebook test cell ``test_dataloader_shuffle`` (Part 3b, DataLoader shuffling)."""

import random

import numpy as np

from grading_suite.public.probes import probe
from grading_suite.public.probes.dataloader_shuffle import id_limit, visit_order
from grading_suite.public.probes.support import as_array, batch_parts, ids_dataset, make_dataset, peak_bytes


def global_states() -> dict:
    """Python's and NumPy's global random states as plain data."""
    version, key, gauss = random.getstate()
    name, keys, position, has_gauss, cached = np.random.get_state()
    return {"python": [int(version), np.array(key, dtype=np.int64), gauss],
            "numpy": [str(name), np.array(keys, dtype=np.uint32), int(position), int(has_gauss), float(cached)]}


@probe
def seeded_twins(student, size: int, batch_size: int):
    """Loaders with seeds 11, 11 and 12: two epochs of the first, global draws,
    two epochs of its twin, one epoch of the third."""
    DataLoader = student.require("DataLoader")
    first, twin, other = (DataLoader(ids_dataset(student, size), batch_size=batch_size, shuffle=True, seed=seed)
                          for seed in (11, 11, 12))
    limit = id_limit(size)
    epochs = [visit_order(first, limit), visit_order(first, limit)]
    np.random.random(), random.random()  # global draws in between must not matter
    twin_epochs = [visit_order(twin, limit), visit_order(twin, limit)]
    return {"epochs": epochs, "twin_epochs": twin_epochs, "other": visit_order(other, limit)}


@probe
def global_states_around_seeded_loader(student):
    """The global random states before and after building a loader with seed=7
    over 20 samples (batch_size=6) and iterating it twice."""
    DataLoader = student.require("DataLoader")
    dataset = ids_dataset(student, 20)
    before = global_states()
    loader = DataLoader(dataset, batch_size=6, shuffle=True, seed=7)
    visit_order(loader, id_limit(20))
    visit_order(loader, id_limit(20))
    return {"before": before, "after": global_states()}


@probe
def globally_seeded_runs(student, size: int, batch_size: int):
    """Twice: seed random and np.random with 2024, build an unseeded shuffled
    loader, take two epochs."""
    DataLoader = student.require("DataLoader")
    runs = []
    for _ in range(2):
        dataset = ids_dataset(student, size)
        random.seed(2024)
        np.random.seed(2024)
        loader = DataLoader(dataset, batch_size=batch_size, shuffle=True)
        runs.append([visit_order(loader, id_limit(size)), visit_order(loader, id_limit(size))])
    return runs


@probe
def data_after_shuffling(student, size: int):
    """Iterate a shuffled loader over (images, labels) three epochs; say whether
    the dataset still holds the very same arrays, and return their content."""
    DataLoader = student.require("DataLoader")
    images = np.arange(size * 2, dtype=np.float32).reshape(size, 2)
    labels = np.arange(size, dtype=np.int64).reshape(size, 1)
    dataset = make_dataset(student, images, labels)
    loader = DataLoader(dataset, batch_size=6, shuffle=True)
    for _ in range(3):
        for count, _batch in enumerate(loader):
            if count > 2 * size:
                break
    same = {"arrays_images": dataset.arrays[0] is images, "arrays_labels": dataset.arrays[1] is labels,
            "tensor_images": dataset.tensors[0].data is images, "tensor_labels": dataset.tensors[1].data is labels}
    return {"same": same, "images": np.array(images, copy=True), "labels": np.array(labels, copy=True)}


@probe
def first_batch_peak(student, seed):
    """Peak bytes allocated by building a shuffled loader (batch_size=8) over
    1024 samples of 4 KB and taking its first batch."""
    DataLoader = student.require("DataLoader")
    dataset = make_dataset(student, np.zeros((1024, 1024), dtype=np.float32))
    return peak_bytes(lambda: next(iter(DataLoader(dataset, batch_size=8, shuffle=True, seed=seed))))


@probe
def unshuffled_orders(student):
    """After seeding the global state with 5, two epochs of DataLoader(ds, 4)
    and of DataLoader(ds, 4, shuffle=False, seed=5) over 12 samples."""
    DataLoader = student.require("DataLoader")
    dataset = ids_dataset(student, 12)
    random.seed(5)
    np.random.seed(5)
    loaders = [DataLoader(dataset, batch_size=4), DataLoader(dataset, batch_size=4, shuffle=False, seed=5)]
    return [[visit_order(loader, id_limit(12)) for _ in range(2)] for loader in loaders]


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
