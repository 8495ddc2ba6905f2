"""Part 3b, DataLoader shuffling (20 points): every sample once per epoch, a new
order each epoch, seeds (reproducible, global state untouched), no position bias,
indices shuffled rather than data, and a short training loop.

Datasets come from the ``make_dataset`` fixture, never from the student's
TensorDataset.  Visit orders are read from a (N, 1) array of sample ids, so they
do not depend on how collation stacks.

The hidden cases of this cell; its public checks, shipped to students, are in
``tests/public/test_dataloader_shuffle.py`` and count toward the same points."""

import random

import numpy as np
import pytest

from tests.public.support import as_array, batch_parts, binomial_tolerance, expect, ids_dataset, peak_bytes
from tests.public.test_dataloader_shuffle import _visit_order

pytestmark = pytest.mark.dataloader


def _global_states():
    return random.getstate(), np.random.get_state()


def _same_global_states(before, after):
    (python_before, numpy_before), (python_after, numpy_after) = before, after
    numpy_same = (numpy_before[0] == numpy_after[0] and np.array_equal(numpy_before[1], numpy_after[1])
                  and tuple(numpy_before[2:]) == tuple(numpy_after[2:]))
    return python_before == python_after, numpy_same


@pytest.mark.points(1)
def test_drop_last_with_shuffle(DataLoader, make_dataset):
    """With shuffle and drop_last, each epoch has floor(N/bs)*bs distinct samples and every sample can appear."""
    size, batch_size = 10, 3
    loader = DataLoader(ids_dataset(make_dataset, size), batch_size=batch_size, shuffle=True, drop_last=True)
    seen = set()
    for epoch in range(1, 13):
        order = _visit_order(loader)
        expect(len(order) == 9 and len(set(order)) == 9 and set(order) <= set(range(size)),
               f"epoch {epoch} of a shuffled DataLoader(10 samples, batch_size=3, drop_last=True) should visit "
               f"9 distinct samples of 0..9, got {order}; shuffle all indices, then skip the short last batch "
               "in DataLoader.__iter__")
        seen.update(order)
    missing = sorted(set(range(size)) - seen)
    expect(not missing,
           f"over 12 shuffled epochs with drop_last=True, samples {missing} never appeared; shuffle all N indices "
           "before dropping the last partial batch, so a different remainder is skipped each epoch")


@pytest.mark.points(2)
def test_seed_makes_order_reproducible(DataLoader, make_dataset):
    """Two loaders with the same seed give the same epochs; a different seed gives another order."""
    size, batch_size = 40, 8
    first, twin, other = (DataLoader(ids_dataset(make_dataset, size), batch_size=batch_size, shuffle=True, seed=seed)
                          for seed in (11, 11, 12))
    epochs = [_visit_order(first), _visit_order(first)]
    np.random.random(), random.random()  # global draws in between must not matter
    twin_epochs = [_visit_order(twin), _visit_order(twin)]
    expect(twin_epochs == epochs,
           "two loaders with seed=11 should give the same sequence of epochs, but their orders differ; give the "
           "loader its own generator seeded with seed (as _epoch_order does) and use it in DataLoader.__iter__")
    expect(_visit_order(other) != epochs[0],
           "loaders with seed=11 and seed=12 gave the same first epoch over 40 samples; the order should "
           "depend on the seed")


@pytest.mark.points(2)
def test_seed_leaves_global_random_state_alone(DataLoader, make_dataset):
    """With an int seed, building and iterating the loader changes neither random's nor NumPy's global state."""
    ds = ids_dataset(make_dataset, 20)
    before = _global_states()
    loader = DataLoader(ds, batch_size=6, shuffle=True, seed=7)
    _visit_order(loader)
    _visit_order(loader)
    python_same, numpy_same = _same_global_states(before, _global_states())
    expect(numpy_same, "a loader with seed=7 changed NumPy's global random state (np.random) while it was built "
                       "or iterated; use a private generator (np.random.default_rng(seed)) instead of "
                       "np.random.seed or np.random.* functions in DataLoader")
    expect(python_same, "a loader with seed=7 changed Python's global random state (module random) while it was "
                        "built or iterated; use a private generator instead of random.seed or random.shuffle "
                        "in DataLoader")


@pytest.mark.points(2)
def test_global_seed_reproduces_unseeded_run(DataLoader, make_dataset):
    """With seed=None, seeding the global random state reproduces the same epochs."""
    size, batch_size = 30, 7
    runs = []
    for _ in range(2):
        ds = ids_dataset(make_dataset, size)
        random.seed(2024)
        np.random.seed(2024)
        loader = DataLoader(ds, batch_size=batch_size, shuffle=True)
        runs.append([_visit_order(loader), _visit_order(loader)])
    expect(runs[0] == runs[1],
           "with seed=None, two runs after np.random.seed(2024) (and random.seed(2024)) should give the same "
           "epochs, but they differ; draw the order from NumPy's global random state (np.random.permutation, "
           "as _epoch_order does) in DataLoader.__iter__")


@pytest.mark.points(3)
def test_no_position_bias(DataLoader, make_dataset):
    """Over many shuffled epochs each sample is equally likely at each position and after each other sample."""
    size, batch_size, epochs = 6, 3, 420
    loader = DataLoader(ids_dataset(make_dataset, size), batch_size=batch_size, shuffle=True)
    at_position = np.zeros((size, size), dtype=np.int64)   # [sample, position]
    follows = np.zeros((size, size), dtype=np.int64)       # [sample, sample right after it]
    for _ in range(epochs):
        order = _visit_order(loader)
        expect(sorted(order) == list(range(size)),
               f"a shuffled epoch of 6 samples (batch_size=3) should be a permutation of 0..5, got {order}; "
               "check DataLoader.__iter__")
        at_position[order, np.arange(size)] += 1
        follows[order[:-1], order[1:]] += 1
    # Each cell is Binomial(epochs, 1/6); 36 + 30 cells share a false-failure budget below 1e-6.
    expected = epochs / size
    tolerance = binomial_tolerance(epochs, 1 / size, false_failure=1e-8)
    deviation = np.abs(at_position - expected)
    sample, position = np.unravel_index(np.argmax(deviation), deviation.shape)
    expect(deviation[sample, position] < tolerance,
           f"over {epochs} shuffled epochs of 6 samples (batch_size=3), sample {sample} landed at position "
           f"{position} in {at_position[sample, position]} epochs, expected about {expected:.0f} (every position "
           f"equally likely, tolerance {tolerance:.0f}); shuffle all indices with a uniform permutation in "
           "DataLoader.__iter__ (not within batches, not leaving some index in place)")
    np.fill_diagonal(follows, round(expected))
    deviation = np.abs(follows - expected)
    first, after = np.unravel_index(np.argmax(deviation), deviation.shape)
    expect(deviation[first, after] < tolerance,
           f"over {epochs} shuffled epochs of 6 samples, sample {after} came right after sample {first} in "
           f"{follows[first, after]} epochs, expected about {expected:.0f} (tolerance {tolerance:.0f}); the order "
           "should be a uniform random permutation, not a rotation or other fixed pattern (DataLoader.__iter__)")


@pytest.mark.points(1)
def test_shuffle_does_not_touch_the_data(DataLoader, make_dataset):
    """Shuffling moves indices only: the dataset's arrays are the same objects with the same content."""
    size = 40
    images = np.arange(size * 2, dtype=np.float32).reshape(size, 2)
    labels = np.arange(size, dtype=np.int64).reshape(size, 1)
    saved = images.copy(), labels.copy()
    ds = make_dataset(images, labels)
    loader = DataLoader(ds, batch_size=6, shuffle=True)
    for _ in range(3):
        for _batch in loader:
            pass
    same_objects = (ds.arrays[0] is images and ds.arrays[1] is labels
                    and ds.tensors[0].data is images and ds.tensors[1].data is labels)
    expect(same_objects, "after iterating a shuffled loader the dataset should hold the very same arrays; "
                         "shuffle a permutation of indices, never the dataset, in DataLoader.__iter__")
    expect(np.array_equal(images, saved[0]) and np.array_equal(labels, saved[1]),
           "iterating a shuffled loader changed the dataset's arrays; shuffle a permutation of indices, never "
           "the data itself, in DataLoader.__iter__")


@pytest.mark.points(1)
def test_shuffle_copies_no_data(DataLoader, make_dataset):
    """Building a shuffled loader over a 4 MB dataset and taking a batch of 8 allocates far less (< 1 MB)."""
    size = 1024
    ds = make_dataset(np.zeros((size, 1024), dtype=np.float32))
    for seed in (None, 3):
        peak = peak_bytes(lambda: next(iter(DataLoader(ds, batch_size=8, shuffle=True, seed=seed))))
        expect(peak < 1_000_000,
               f"building a shuffled loader over a 4 MB dataset and taking its first batch (8 samples of 4 KB) "
               f"(seed={seed}) allocated {peak / 1e6:.1f} MB at peak; permute indices (8 bytes each), do not "
               "copy or reorder the data, and load only that batch in DataLoader.__iter__")


@pytest.mark.points(1)
def test_no_shuffle_keeps_identity_order(DataLoader, make_dataset):
    """shuffle=False (the default) visits 0..N-1 in order, even with a seed and after global seeding."""
    size = 12
    ds = ids_dataset(make_dataset, size)
    random.seed(5)
    np.random.seed(5)
    for description, loader in (("the default shuffle", DataLoader(ds, batch_size=4)),
                                ("shuffle=False, seed=5", DataLoader(ds, batch_size=4, shuffle=False, seed=5))):
        for epoch in (1, 2):
            order = _visit_order(loader)
            expect(order == list(range(size)),
                   f"epoch {epoch} with {description} should visit samples 0..11 in order, got {order}; "
                   "shuffle only when shuffle=True in DataLoader")


@pytest.mark.points(2)
def test_training_loop_learns(DataLoader, make_dataset):
    """Five shuffled epochs of mini-batch gradient descent on a logistic model fit two separated classes."""
    rng = np.random.default_rng(5)
    size, batch_size = 256, 16
    labels = rng.integers(0, 2, size).astype(np.int64)
    features = (rng.normal(size=(size, 2)) + 1.5 * (2 * labels[:, None] - 1)).astype(np.float32)
    loader = DataLoader(make_dataset(features, labels), batch_size=batch_size, shuffle=True)
    weights, bias = np.zeros(2), 0.0

    def loss_and_accuracy():
        logits = features @ weights + bias
        loss = np.mean(np.logaddexp(0.0, logits) - labels * logits)
        return loss, np.mean((logits > 0) == (labels == 1))

    start_loss, _ = loss_and_accuracy()
    for epoch in range(1, 6):
        seen = 0
        for batch in loader:
            x_part, y_part = batch_parts(batch)[:2]
            x = as_array(x_part).astype(np.float64)
            y = as_array(y_part).astype(np.float64).reshape(-1)
            expect(x.shape == (len(y), 2),
                   f"a training batch should hold features of shape (batch, 2), got {x.shape}; check "
                   "DataLoader._collate_batch")
            error = 1.0 / (1.0 + np.exp(-(x @ weights + bias))) - y
            weights -= 0.5 * x.T @ error / len(y)
            bias -= 0.5 * float(error.mean())
            seen += len(y)
        expect(seen == size, f"training epoch {epoch} should see all {size} samples, saw {seen}; check "
                             "DataLoader.__iter__")
    loss, accuracy = loss_and_accuracy()
    expect(loss < 0.5 * start_loss and accuracy >= 0.9,
           f"5 epochs of training on a shuffled loader should bring the loss from {start_loss:.3f} below "
           f"{0.5 * start_loss:.3f} and accuracy to 90%, got loss {loss:.3f} and accuracy {accuracy:.0%}; "
           "batches should pair each sample's features with its own label (DataLoader.__iter__)")
