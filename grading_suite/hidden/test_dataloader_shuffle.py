"""Part 3b, DataLoader shuffling (20 points): every sample once per epoch, a new
order each epoch, seeds (reproducible, global state untouched), no position bias,
indices shuffled rather than data, and a short training loop.

Datasets come from ``support.make_dataset``, never from the student's
TensorDataset.  Visit orders are read from a (N, 1) array of sample ids, so they
do not depend on how collation stacks.

Every input a probe gets (sizes, batch sizes, seeds, sample ids, data) is drawn
from ``observe.draw``, so no table of precomputed observations can answer; the
ids an epoch gave are mapped back to sample numbers with ``positions_of`` (-1
for an id that is no sample's).  Statistical checks keep a false-failure rate
below 1e-6 for a correct loader under every draw, and the buggy loaders they
exist for fail them under every draw.

The hidden cases of this cell; its public checks, shipped to students, are in
``public/test_dataloader_shuffle.py`` and count toward the same points."""

import math
import random

import numpy as np
import pytest

from grading_suite.public.checks import binomial_tolerance, distinct_ids, expect, positions_of

pytestmark = pytest.mark.dataloader


def _ids(draw, size):
    """``size`` distinct drawn sample ids, below 2**24 so they stay exact in float32."""
    return distinct_ids(draw, size, high=2**24)


def _seed(draw):
    """A drawn int seed for DataLoader(..., seed=...)."""
    return draw.randrange(1, 10**6)


def _global_seed(draw):
    """A drawn seed for random.seed and np.random.seed."""
    return draw.getrandbits(32)


def _of_dataset(samples):
    """Whether an epoch (as sample numbers) gave something, and only samples of the dataset."""
    return len(samples) > 0 and -1 not in samples


def _seeded_global_states(seed):
    """The global states right after random.seed(seed) and np.random.seed(seed), as
    ``global_states`` (hidden probes) describes them."""
    version, key, gauss = random.Random(seed).getstate()
    name, keys, position, has_gauss, cached = np.random.RandomState(seed).get_state()
    return {"python": [int(version), np.array(key, dtype=np.int64), gauss],
            "numpy": [str(name), np.array(keys, dtype=np.uint32), int(position), int(has_gauss), float(cached)]}


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
    draw = observe.draw
    batch_size = draw.randint(2, 5)
    size = batch_size * draw.randint(2, 4) + draw.randint(1, batch_size - 1)  # always a short last batch
    kept = size // batch_size * batch_size
    # A correct loader leaves out each sample with probability (size - kept) / size per epoch: after
    # this many epochs, some sample never appeared with probability below 1e-9 (union bound).
    epochs = math.ceil(math.log(size / 1e-9) / math.log(size / (size - kept)))
    ids = _ids(draw, size)
    orders = observe("dataloader_shuffle.visit_orders", ids=ids, batch_size=batch_size, epochs=epochs,
                     options={"shuffle": True, "drop_last": True})
    seen = set()
    for epoch, order in enumerate(orders, start=1):
        samples = positions_of(order, ids)
        expect(len(samples) == kept and len(set(samples)) == kept and -1 not in samples,
               f"epoch {epoch} of a shuffled DataLoader({size} samples, batch_size={batch_size}, drop_last=True) "
               f"should visit {kept} distinct samples of 0..{size - 1}, got samples {samples}; shuffle all "
               "indices, then skip the short last batch in DataLoader.__iter__")
        seen.update(samples)
    missing = sorted(set(range(size)) - seen)
    expect(not missing,
           f"over {len(orders)} shuffled epochs of {size} samples (batch_size={batch_size}) with drop_last=True, "
           f"samples {missing} never appeared; shuffle all N indices before dropping the last partial batch, so "
           "a different remainder is skipped each epoch")


@pytest.mark.points(2)
def test_seed_makes_order_reproducible(observe):
    """Two loaders with the same seed give the same epochs; a different seed gives another order."""
    draw = observe.draw
    size, batch_size, seed = draw.randint(20, 48), draw.randint(3, 10), _seed(draw)
    other_seed = seed
    while other_seed == seed:
        other_seed = _seed(draw)
    ids = _ids(draw, size)
    seen = observe("dataloader_shuffle.seeded_twins", ids=ids, batch_size=batch_size, seed=seed,
                   other_seed=other_seed)
    epochs = [positions_of(order, ids) for order in seen["epochs"]]
    twin_epochs = [positions_of(order, ids) for order in seen["twin_epochs"]]
    other = positions_of(seen["other"], ids)
    expect(all(_of_dataset(samples) for samples in epochs + [other]),
           f"shuffled loaders over {size} samples (batch_size={batch_size}) gave epochs {epochs} (seed={seed}) "
           f"and {other} (seed={other_seed}), with ids that belong to no sample (shown as -1) or no sample at "
           "all; batches should hold the dataset's own samples")
    expect(twin_epochs == epochs,
           f"two loaders with seed={seed} should give the same sequence of epochs, but their orders differ; give "
           "the loader its own generator seeded with seed (as _epoch_order does) and use it in DataLoader.__iter__")
    expect(other != epochs[0],
           f"loaders with seed={seed} and seed={other_seed} gave the same first epoch over {size} samples; the "
           "order should depend on the seed")


@pytest.mark.points(2)
def test_seed_leaves_global_random_state_alone(observe):
    """With an int seed, building and iterating the loader changes neither random's nor NumPy's global state."""
    draw = observe.draw
    size, batch_size, seed, global_seed = draw.randint(10, 40), draw.randint(2, 8), _seed(draw), _global_seed(draw)
    after = observe("dataloader_shuffle.global_states_around_seeded_loader", ids=_ids(draw, size),
                    batch_size=batch_size, seed=seed, global_seed=global_seed)
    python_same, numpy_same = _same_global_states(_seeded_global_states(global_seed), after)
    expect(numpy_same, f"a loader with seed={seed} changed NumPy's global random state (np.random) while it was "
                       "built or iterated; use a private generator (np.random.default_rng(seed)) instead of "
                       "np.random.seed or np.random.* functions in DataLoader")
    expect(python_same, f"a loader with seed={seed} changed Python's global random state (module random) while it "
                        "was built or iterated; use a private generator instead of random.seed or random.shuffle "
                        "in DataLoader")


@pytest.mark.points(2)
def test_global_seed_reproduces_unseeded_run(observe):
    """With seed=None, seeding the global random state reproduces the same epochs."""
    draw = observe.draw
    size, batch_size, global_seed = draw.randint(20, 40), draw.randint(3, 10), _global_seed(draw)
    ids = _ids(draw, size)
    runs = observe("dataloader_shuffle.globally_seeded_runs", ids=ids, batch_size=batch_size,
                   global_seed=global_seed)
    runs = [[positions_of(order, ids) for order in run] for run in runs]
    expect(all(_of_dataset(samples) for run in runs for samples in run),
           f"unseeded shuffled loaders over {size} samples (batch_size={batch_size}) gave epochs {runs} with ids "
           "that belong to no sample (shown as -1) or no sample at all; batches should hold the dataset's own "
           "samples")
    expect(runs[0] == runs[1],
           f"with seed=None, two runs after np.random.seed({global_seed}) (and random.seed({global_seed})) should "
           "give the same epochs, but they differ; draw the order from NumPy's global random state "
           "(np.random.permutation, as _epoch_order does) in DataLoader.__iter__")


@pytest.mark.points(3)
def test_no_position_bias(observe):
    """Over many shuffled epochs each sample is equally likely at each position and after each other sample."""
    draw = observe.draw
    size, batch_size = draw.choice([(4, 2), (6, 2), (6, 3), (8, 2), (8, 4), (9, 3), (10, 2), (10, 5)])
    # several batches, so shuffling only within batches shows; all full (a lost short batch is graded elsewhere)
    epochs = 70 * size  # about 70 epochs per cell
    ids = _ids(draw, size)
    orders = observe("dataloader_shuffle.visit_orders", ids=ids, batch_size=batch_size, epochs=epochs,
                     options={"shuffle": True})
    expect(len(orders) == epochs, f"expected {epochs} epochs, got {len(orders)}")
    at_position = np.zeros((size, size), dtype=np.int64)   # [sample, position]
    follows = np.zeros((size, size), dtype=np.int64)       # [sample, sample right after it]
    for order in orders:
        samples = positions_of(order, ids)
        expect(sorted(samples) == list(range(size)),
               f"a shuffled epoch of {size} samples (batch_size={batch_size}) should be a permutation of samples "
               f"0..{size - 1}, got samples {samples}; check DataLoader.__iter__")
        at_position[samples, np.arange(size)] += 1
        follows[samples[:-1], samples[1:]] += 1
    # Each cell is Binomial(epochs, 1/size); the size**2 + size*(size-1) cells share a false-failure
    # budget below 1e-6.  A sample that never (or always) takes a position is off by 70 or more.
    expected = epochs / size
    tolerance = binomial_tolerance(epochs, 1 / size, false_failure=1e-6 / (2 * size * size))
    deviation = np.abs(at_position - expected)
    sample, position = np.unravel_index(np.argmax(deviation), deviation.shape)
    expect(deviation[sample, position] < tolerance,
           f"over {epochs} shuffled epochs of {size} samples (batch_size={batch_size}), sample {sample} landed at "
           f"position {position} in {at_position[sample, position]} epochs, expected about {expected:.0f} (every "
           f"position equally likely, tolerance {tolerance:.0f}); shuffle all indices with a uniform permutation "
           "in DataLoader.__iter__ (not within batches, not leaving some index in place)")
    np.fill_diagonal(follows, round(expected))
    deviation = np.abs(follows - expected)
    first, after = np.unravel_index(np.argmax(deviation), deviation.shape)
    expect(deviation[first, after] < tolerance,
           f"over {epochs} shuffled epochs of {size} samples, sample {after} came right after sample {first} in "
           f"{follows[first, after]} epochs, expected about {expected:.0f} (tolerance {tolerance:.0f}); the order "
           "should be a uniform random permutation, not a rotation or other fixed pattern (DataLoader.__iter__)")


@pytest.mark.points(1)
def test_shuffle_does_not_touch_the_data(observe):
    """Shuffling moves indices only: the dataset's arrays are the same objects with the same content."""
    draw = observe.draw
    size, batch_size = draw.randint(24, 48), draw.randint(3, 8)
    images = np.array(draw.sample(range(-2**20, 2**20), 2 * size), dtype=np.float32).reshape(size, 2)  # exact
    labels = np.array(_ids(draw, size), dtype=np.int64).reshape(size, 1)
    seen = observe("dataloader_shuffle.data_after_shuffling", images=images.tolist(), labels=labels.tolist(),
                   batch_size=batch_size)
    same = seen["same"]
    same_objects = (same["arrays_images"] is True and same["arrays_labels"] is True
                    and same["tensor_images"] is True and same["tensor_labels"] is True)
    expect(same_objects, "after iterating a shuffled loader the dataset should hold the very same arrays; "
                         "shuffle a permutation of indices, never the dataset, in DataLoader.__iter__")
    expect(np.array_equal(seen["images"], images) and np.array_equal(seen["labels"], labels),
           f"iterating a shuffled loader (batch_size={batch_size}) over {size} samples changed the dataset's "
           "arrays; shuffle a permutation of indices, never the data itself, in DataLoader.__iter__")


@pytest.mark.points(1)
def test_shuffle_copies_no_data(observe):
    """Building a shuffled loader over a 4 MB dataset and taking a batch of 8 allocates far less (< 1 MB)."""
    draw = observe.draw
    rows = draw.randint(960, 1088)  # samples of 4 KB: about 4 MB
    for seed in (None, _seed(draw)):
        ids = _ids(draw, rows)  # exact in float32 data
        seen = observe("dataloader_shuffle.first_batch_peak", ids=ids, seed=seed)
        peak, values = seen["peak"], seen["values"]
        expect(type(peak) is int and peak < 1_000_000,
               f"building a shuffled loader over a {rows * 4096 / 1e6:.1f} MB dataset and taking its first batch "
               f"(8 samples of 4 KB) (seed={seed}) allocated {peak / 1e6:.1f} MB at peak; permute indices (8 bytes "
               "each), do not copy or reorder the data, and load only that batch in DataLoader.__iter__")
        expect(type(values) is list and len(values) > 0 and set(values) <= set(ids),
               f"the first batch of a shuffled loader over {rows} samples (seed={seed}) should hold values of the "
               f"dataset's samples, got the distinct values {values[:8] if type(values) is list else values}; "
               "batches should hold the dataset's own samples")


@pytest.mark.points(1)
def test_no_shuffle_keeps_identity_order(observe):
    """shuffle=False (the default) visits 0..N-1 in order, even with a seed and after global seeding."""
    draw = observe.draw
    batch_size, global_seed, seed = draw.randint(2, 6), _global_seed(draw), _seed(draw)
    size = batch_size * draw.randint(2, 5)  # full batches only
    ids = _ids(draw, size)
    runs = observe("dataloader_shuffle.unshuffled_orders", ids=ids, batch_size=batch_size,
                   global_seed=global_seed, seed=seed)
    expect(len(runs) == 2, f"expected the epochs of 2 loaders, got {len(runs)}")
    for description, orders in zip(("the default shuffle", f"shuffle=False, seed={seed}"), runs):
        for epoch, order in enumerate(orders, start=1):
            samples = positions_of(order, ids)
            expect(samples == list(range(size)),
                   f"epoch {epoch} over {size} samples (batch_size={batch_size}) with {description} should visit "
                   f"samples 0..{size - 1} in order, got samples {samples}; shuffle only when shuffle=True in "
                   "DataLoader")


@pytest.mark.points(2)
def test_training_loop_learns(observe):
    """Five shuffled epochs of mini-batch gradient descent on a logistic model fit two separated classes."""
    draw = observe.draw
    rng = np.random.default_rng(draw.getrandbits(64))
    batch_size = draw.randint(8, 32)
    size = batch_size * draw.randint(-(-192 // batch_size), 320 // batch_size)  # full batches only
    labels = rng.integers(0, 2, size).astype(np.int64)
    features = (rng.normal(size=(size, 2)) + 1.5 * (2 * labels[:, None] - 1)).astype(np.float32)
    rows = {tuple(row) for row in features.astype(np.float64)}
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
            foreign = [list(row) for row in x if tuple(row) not in rows]
            expect(not foreign,
                   f"a training batch (epoch {epoch}, batch_size={batch_size}) holds feature rows that are no "
                   f"sample's, e.g. {foreign[:2]}; batches should hold the dataset's own samples")
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
