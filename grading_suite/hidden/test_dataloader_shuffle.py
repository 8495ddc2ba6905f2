"""Part 3b, DataLoader shuffling (20 points): every sample once per epoch, a new
order each epoch, seeds (reproducible, global state untouched), no position bias,
indices shuffled rather than data, and a short training loop.

Datasets come from ``support.make_dataset``, never from the student's
TensorDataset.  Visit orders are read from a (N, 1) array of sample ids, so they
do not depend on how collation stacks.

The hidden cases of this cell; its public checks, shipped to students, are in
``public/test_dataloader_shuffle.py`` and count toward the same points."""

import numpy as np
import pytest

from grading_suite.public.checks import binomial_tolerance, expect

pytestmark = pytest.mark.dataloader


def _same_global_states(before, after):
    python_same = (before["python"][0] == after["python"][0]
                   and np.array_equal(before["python"][1], after["python"][1])
                   and before["python"][2] == after["python"][2])
    numpy_before, numpy_after = before["numpy"], after["numpy"]
    numpy_same = (numpy_before[0] == numpy_after[0] and np.array_equal(numpy_before[1], numpy_after[1])
                  and tuple(numpy_before[2:]) == tuple(numpy_after[2:]))
    return python_same, numpy_same


@pytest.mark.points(1)
def test_drop_last_with_shuffle(observe):
    """With shuffle and drop_last, each epoch has floor(N/bs)*bs distinct samples and every sample can appear."""
    size, batch_size = 10, 3
    orders = observe("dataloader_shuffle.visit_orders", size=size, batch_size=batch_size, epochs=12,
                     options={"shuffle": True, "drop_last": True})
    seen = set()
    for epoch, order in enumerate(orders, start=1):
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
def test_seed_makes_order_reproducible(observe):
    """Two loaders with the same seed give the same epochs; a different seed gives another order."""
    seen = observe("dataloader_shuffle.seeded_twins", size=40, batch_size=8)
    epochs = seen["epochs"]
    expect(seen["twin_epochs"] == epochs,
           "two loaders with seed=11 should give the same sequence of epochs, but their orders differ; give the "
           "loader its own generator seeded with seed (as _epoch_order does) and use it in DataLoader.__iter__")
    expect(seen["other"] != epochs[0],
           "loaders with seed=11 and seed=12 gave the same first epoch over 40 samples; the order should "
           "depend on the seed")


@pytest.mark.points(2)
def test_seed_leaves_global_random_state_alone(observe):
    """With an int seed, building and iterating the loader changes neither random's nor NumPy's global state."""
    seen = observe("dataloader_shuffle.global_states_around_seeded_loader")
    python_same, numpy_same = _same_global_states(seen["before"], seen["after"])
    expect(numpy_same, "a loader with seed=7 changed NumPy's global random state (np.random) while it was built "
                       "or iterated; use a private generator (np.random.default_rng(seed)) instead of "
                       "np.random.seed or np.random.* functions in DataLoader")
    expect(python_same, "a loader with seed=7 changed Python's global random state (module random) while it was "
                        "built or iterated; use a private generator instead of random.seed or random.shuffle "
                        "in DataLoader")


@pytest.mark.points(2)
def test_global_seed_reproduces_unseeded_run(observe):
    """With seed=None, seeding the global random state reproduces the same epochs."""
    runs = observe("dataloader_shuffle.globally_seeded_runs", size=30, batch_size=7)
    expect(runs[0] == runs[1],
           "with seed=None, two runs after np.random.seed(2024) (and random.seed(2024)) should give the same "
           "epochs, but they differ; draw the order from NumPy's global random state (np.random.permutation, "
           "as _epoch_order does) in DataLoader.__iter__")


@pytest.mark.points(3)
def test_no_position_bias(observe):
    """Over many shuffled epochs each sample is equally likely at each position and after each other sample."""
    size, batch_size, epochs = 6, 3, 420
    orders = observe("dataloader_shuffle.visit_orders", size=size, batch_size=batch_size, epochs=epochs,
                     options={"shuffle": True})
    expect(len(orders) == epochs, f"expected {epochs} epochs, got {len(orders)}")
    at_position = np.zeros((size, size), dtype=np.int64)   # [sample, position]
    follows = np.zeros((size, size), dtype=np.int64)       # [sample, sample right after it]
    for order in orders:
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
def test_shuffle_does_not_touch_the_data(observe):
    """Shuffling moves indices only: the dataset's arrays are the same objects with the same content."""
    size = 40
    images = np.arange(size * 2, dtype=np.float32).reshape(size, 2)
    labels = np.arange(size, dtype=np.int64).reshape(size, 1)
    seen = observe("dataloader_shuffle.data_after_shuffling", size=size)
    same = seen["same"]
    same_objects = (same["arrays_images"] is True and same["arrays_labels"] is True
                    and same["tensor_images"] is True and same["tensor_labels"] is True)
    expect(same_objects, "after iterating a shuffled loader the dataset should hold the very same arrays; "
                         "shuffle a permutation of indices, never the dataset, in DataLoader.__iter__")
    expect(np.array_equal(seen["images"], images) and np.array_equal(seen["labels"], labels),
           "iterating a shuffled loader changed the dataset's arrays; shuffle a permutation of indices, never "
           "the data itself, in DataLoader.__iter__")


@pytest.mark.points(1)
def test_shuffle_copies_no_data(observe):
    """Building a shuffled loader over a 4 MB dataset and taking a batch of 8 allocates far less (< 1 MB)."""
    for seed in (None, 3):
        peak = observe("dataloader_shuffle.first_batch_peak", seed=seed)
        expect(type(peak) is int and peak < 1_000_000,
               f"building a shuffled loader over a 4 MB dataset and taking its first batch (8 samples of 4 KB) "
               f"(seed={seed}) allocated {peak / 1e6:.1f} MB at peak; permute indices (8 bytes each), do not "
               "copy or reorder the data, and load only that batch in DataLoader.__iter__")


@pytest.mark.points(1)
def test_no_shuffle_keeps_identity_order(observe):
    """shuffle=False (the default) visits 0..N-1 in order, even with a seed and after global seeding."""
    size = 12
    runs = observe("dataloader_shuffle.unshuffled_orders")
    expect(len(runs) == 2, f"expected the epochs of 2 loaders, got {len(runs)}")
    for description, orders in zip(("the default shuffle", "shuffle=False, seed=5"), runs):
        for epoch, order in enumerate(orders, start=1):
            expect(order == list(range(size)),
                   f"epoch {epoch} with {description} should visit samples 0..11 in order, got {order}; "
                   "shuffle only when shuffle=True in DataLoader")


@pytest.mark.points(2)
def test_training_loop_learns(observe):
    """Five shuffled epochs of mini-batch gradient descent on a logistic model fit two separated classes."""
    rng = np.random.default_rng(5)
    size, batch_size = 256, 16
    labels = rng.integers(0, 2, size).astype(np.int64)
    features = (rng.normal(size=(size, 2)) + 1.5 * (2 * labels[:, None] - 1)).astype(np.float32)
    epochs = observe("dataloader_shuffle.training_batches", features=features.tolist(), labels=labels.tolist(),
                     batch_size=batch_size, epochs=5)
    expect(len(epochs) == 5, f"expected 5 training epochs, got {len(epochs)}")
    weights, bias = np.zeros(2), 0.0

    def loss_and_accuracy():
        logits = features @ weights + bias
        loss = np.mean(np.logaddexp(0.0, logits) - labels * logits)
        return loss, np.mean((logits > 0) == (labels == 1))

    start_loss, _ = loss_and_accuracy()
    for epoch, batches in enumerate(epochs, start=1):
        seen = 0
        for x, y_part in batches:
            x = np.asarray(x, dtype=np.float64)
            y = np.asarray(y_part, dtype=np.float64).reshape(-1)
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
