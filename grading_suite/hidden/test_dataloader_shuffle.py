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

import numpy as np
import pytest

from grading_suite.hidden.judging_shuffle import (SEEDED_CASES, _big_seed, _global_seed, _ids, _naive_swap_matrix,
                                               _of_dataset, _one_sided_bernstein, _restarted, _same_global_states,
                                               _seed, _seeded_cases_check, _seeded_global_states)
from grading_suite.hidden.properties import check_property
from grading_suite.public.checks import binomial_tolerance, epoch_hint, expect, positions_of

pytestmark = pytest.mark.dataloader


@pytest.mark.points(1)
def test_drop_last_with_shuffle(observe, draw):
    """With shuffle and drop_last, each epoch has floor(N/bs)*bs distinct samples and every sample can appear.

    False failure for a correct loader: below 1e-9 (a union bound over the samples, see the epochs count).
    Power 1 against dropping the short batch before shuffling (the same samples never appear)."""
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
               f"should visit {kept} distinct samples of 0..{size - 1}, got samples {samples}; "
               + epoch_hint(samples, size, batch_size, True, "shuffle all indices, then skip the short last "
                            "batch in DataLoader.__iter__"))
        seen.update(samples)
    missing = sorted(set(range(size)) - seen)
    expect(not missing,
           f"over {len(orders)} shuffled epochs of {size} samples (batch_size={batch_size}) with drop_last=True, "
           f"samples {missing} never appeared; shuffle all N indices before dropping the last partial batch, so "
           "a different remainder is skipped each epoch")


@pytest.mark.points(1)
def test_seed_makes_order_reproducible(observe, draw):
    """Two loaders with the same seed (0 included) give the same epochs, whatever global draws come in between;
    a different seed gives another order.

    False failure: two seeds give the same first epoch with probability 1/size! < 1e-18 (size >= 20).
    Power 1 against a seed ignored or seed=0 treated as None (the global draws in between change the twin)."""
    size, batch_size = draw.randint(20, 48), draw.randint(3, 10)
    first = _seed(draw)
    for seed, other_seed in ((0, first), (_big_seed(draw), 0)):
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
               f"two loaders with seed={seed} should give the same sequence of epochs, even with draws from "
               "np.random and random in between, but their orders differ; an int seed gives the loader its own "
               "generator (as _epoch_order does), used in DataLoader.__iter__"
               + (" (seed=0 is an int seed like any other: test `seed is None`, not the truth of seed)"
                  if seed == 0 else ""))
        # A correct pair of seeds gives the same first epoch with probability 1/size! (below 1e-18).
        expect(other != epochs[0],
               f"loaders with seed={seed} and seed={other_seed} gave the same first epoch over {size} samples; the "
               "order should depend on the seed")


@pytest.mark.points(2)
def test_seed_leaves_global_random_state_alone(observe, draw):
    """With an int seed (0 included), building and iterating the loader changes neither random's nor NumPy's
    global state."""
    size, batch_size = draw.randint(10, 40), draw.randint(2, 8)
    for seed in (0, _seed(draw)):
        global_seed = _global_seed(draw)
        after = observe("dataloader_shuffle.global_states_around_seeded_loader", ids=_ids(draw, size),
                        batch_size=batch_size, seed=seed, global_seed=global_seed)
        python_same, numpy_same = _same_global_states(_seeded_global_states(global_seed), after)
        zero = (" (seed=0 is an int seed like any other: test `seed is None`, not the truth of seed)"
                if seed == 0 else "")
        expect(numpy_same, f"a loader with seed={seed} changed NumPy's global random state (np.random) while it "
                           "was built or iterated; use a private generator (np.random.default_rng(seed)) instead "
                           f"of np.random.seed or np.random.* functions in DataLoader{zero}")
        expect(python_same, f"a loader with seed={seed} changed Python's global random state (module random) while "
                            "it was built or iterated; use a private generator instead of random.seed or "
                            f"random.shuffle in DataLoader{zero}")


@pytest.mark.points(2)
def test_global_seed_reproduces_unseeded_run(observe, draw):
    """With seed=None the order comes from NumPy's global state: np.random.seed alone reproduces the epochs
    (whatever Python's random holds), and another NumPy seed gives another order.

    False failure: two NumPy seeds give the same first epoch with probability 1/size! < 1e-18 (size >= 20).
    Power 1 against Python's random, a fresh or fixed private generator, or a reseeded global state."""
    size, batch_size = draw.randint(20, 40), draw.randint(3, 10)
    numpy_seed, other_numpy_seed = draw.sample(range(2**32), 2)
    python_seeds = draw.sample(range(2**32), 2)
    ids = _ids(draw, size)
    runs = observe("dataloader_shuffle.numpy_seeded_runs", ids=ids, batch_size=batch_size,
                   runs=[[numpy_seed, python_seeds[0]], [numpy_seed, python_seeds[1]],
                         [other_numpy_seed, python_seeds[0]]])
    expect(type(runs) is list and len(runs) == 3, "expected the epochs of 3 runs")
    runs = [[positions_of(order, ids) for order in run] for run in runs]
    expect(all(_of_dataset(samples) for run in runs for samples in run),
           f"unseeded shuffled loaders over {size} samples (batch_size={batch_size}) gave epochs {runs} with ids "
           "that belong to no sample (shown as -1) or no sample at all; batches should hold the dataset's own "
           "samples")
    expect(runs[0] == runs[1],
           f"with seed=None, two runs after np.random.seed({numpy_seed}) (Python's random seeded differently) "
           "should give the same epochs, but they differ; draw the order from NumPy's global random state "
           "(np.random.permutation, as _epoch_order does), not from Python's random or a fresh generator, in "
           "DataLoader.__iter__")
    # A correct loader gives the same first epoch under two NumPy seeds with probability about 1/size! (< 1e-18).
    expect(runs[2][0] != runs[0][0],
           f"with seed=None, runs after np.random.seed({numpy_seed}) and np.random.seed({other_numpy_seed}) gave "
           f"the same first epoch over {size} samples; the order should come from NumPy's global random state, "
           "so another global seed gives another order (do not reseed it in DataLoader)")


# size -> shuffled epochs in test_no_position_bias: enough for the naive-swap score to reach its
# bound in about 99.9% of draws (simulated: 4000 runs per size missed 1 to 3 times; the mean
# score is 3.1 to 3.3 standard deviations above the bound); tests/test_power_shuffle.py measures it
POSITION_EPOCHS = {6: 1700, 8: 1200, 9: 1050, 10: 950}


@pytest.mark.points(3)
def test_no_position_bias(observe, draw):
    """Over many shuffled epochs each sample is equally likely at each position and after each other sample,
    and the orders do not lean the way the naive swap shuffle does.

    Three checks on the same epochs, sharing a false-failure budget of 1e-6 for a correct (uniform) loader:

    * position counts: each of the size**2 cells (sample, position) is Binomial(epochs, 1/size); with the
      size*(size-1) cells (sample, next sample) they share 0.5e-6 (Bernstein, ``binomial_tolerance``, union
      bound).  Catches shuffling within batches only, a sample that never moves or never comes first, Sattolo's
      cycles (no sample stays in place), rotations.
    * the naive-swap score, once for the loop run forwards and once backwards (0.25e-6 each): each epoch adds
      sum_k W[k, position of k], W = P - 1/size with P the exact position matrix of the naive swap
      (``_naive_swap_matrix``).  For a uniform permutation the score has mean 0, variance
      ||W||^2 / (size - 1) (W is doubly centred) and |score| <= sum_k max_p |W[k, p]|, so its sum over the
      epochs stays below the one-sided Bernstein bound but with probability 0.25e-6.  Under the naive swap
      the mean is ||W||^2 per epoch: with POSITION_EPOCHS it is caught in about 99.9% of draws in each
      direction (simulated, see POSITION_EPOCHS).  tests/test_power_shuffle.py measures the power of this
      test under many draw keys against the naive swap (both directions), Sattolo's cycles, the last sample
      never moving, one sample never first and shuffling within batches (caught under every key measured).
    """
    size, batch_size = draw.choice([(6, 3), (8, 4), (9, 3), (10, 5)])
    # several batches, so shuffling only within batches shows; all full (a lost short batch is graded elsewhere)
    epochs = POSITION_EPOCHS[size]
    ids = _ids(draw, size)
    orders = observe("dataloader_shuffle.visit_orders", ids=ids, batch_size=batch_size, epochs=epochs,
                     options={"shuffle": True})
    expect(type(orders) is list and len(orders) == epochs, f"expected {epochs} epochs, got {len(orders)}")
    for order in orders:
        samples = positions_of(order, ids)
        expect(sorted(samples) == list(range(size)),
               f"a shuffled epoch of {size} samples (batch_size={batch_size}) should be a permutation of samples "
               f"0..{size - 1}, got samples {samples}; check DataLoader.__iter__")
    where = {value: index for index, value in enumerate(ids)}
    table = np.array([[where[value] for value in order] for order in orders], dtype=np.int64)  # [epoch, position]
    at_position = np.zeros((size, size), dtype=np.int64)   # [sample, position]
    np.add.at(at_position, (table, np.arange(size)[None, :]), 1)
    follows = np.zeros((size, size), dtype=np.int64)       # [sample, sample right after it]
    np.add.at(follows, (table[:, :-1], table[:, 1:]), 1)
    expected = epochs / size
    tolerance = binomial_tolerance(epochs, 1 / size, false_failure=0.5e-6 / (2 * size * size))
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
    forwards = _naive_swap_matrix(size) - 1 / size
    for lean, direction in ((forwards, "forwards"), (forwards[::-1, ::-1], "backwards")):
        score = float(lean[table, np.arange(size)[None, :]].sum())
        bound = _one_sided_bernstein(epochs, float((lean ** 2).sum()) / (size - 1),
                                     float(np.abs(lean).max(axis=1).sum()), 0.25e-6)
        item, place = np.unravel_index(np.argmax(lean), lean.shape)
        expect(score < bound,
               f"over {epochs} shuffled epochs of {size} samples, the orders lean the way a naive swap shuffle "
               f"does (each position i swapped with one drawn from all {size} positions, loop run {direction}): "
               f"e.g. sample {item} landed at position {place} in {at_position[item, place]} epochs, expected "
               f"about {expected:.0f}; that shuffle is biased (score {score:.1f}, bound {bound:.1f}). Every "
               "permutation must be equally likely: take the order from self._epoch_order() in "
               "DataLoader.__iter__, or swap position i only with one drawn from i..N-1")


@pytest.mark.points(1)
def test_shuffle_does_not_touch_the_data(observe, draw):
    """Shuffling moves indices only: the dataset's arrays are the same objects with the same content."""
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
def test_shuffle_copies_no_data(observe, draw):
    """Building a shuffled loader over a 4 MB dataset and taking a batch of 8 allocates far less (< 1 MB)."""
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
def test_no_shuffle_keeps_identity_order(observe, draw):
    """shuffle=False (the default) visits 0..N-1 in order, even with a seed and after global seeding."""
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


@pytest.mark.points(1)
def test_each_iter_draws_a_new_order(observe):
    """next(iter(loader)) gives a new random first batch each time: an epoch left unfinished does not make the
    next one replay its order.

    A correct loader gives the same ordered first batch of batch_size >= 6 out of >= 40 samples twice in a row
    with probability 1/(40*39*...*35) < 4e-10; with 2 pairs and 2 loaders the false-failure rate is below 2e-9."""
    seeds = [None, _seed(observe.draw)]
    size, batch_size, ids, seen = _restarted(observe, seeds)
    for seed, loader in zip(seeds, seen):
        firsts = [positions_of(batch, ids) for batch in loader["firsts"]]
        expect(all(_of_dataset(batch) for batch in firsts),
               f"the first batches of a shuffled loader over {size} samples (seed={seed}) were {firsts}, with ids "
               "that belong to no sample (shown as -1) or none at all; batches should hold the dataset's own samples")
        repeated = [index for index in range(1, len(firsts)) if firsts[index] == firsts[index - 1]]
        expect(not repeated,
               f"next(iter(loader)) on a shuffled loader over {size} samples (batch_size={batch_size}, seed={seed}), "
               f"{len(firsts)} times, gave the first batches {firsts}: the same batch twice in a row; every "
               "iter(loader) is a new epoch with a new order, even when the previous one was left unfinished "
               "(draw the order at the start of DataLoader.__iter__, do not keep it on the loader)")


@pytest.mark.points(1)
def test_every_epoch_fetches_its_samples_again(observe):
    """Every epoch, shuffled or not, fetches its samples from the dataset again (an augmenting dataset gives
    fresh samples): no sample is kept from an earlier epoch and replayed.  Not statistical: a correct loader
    never fails it; a loader that caches samples or batches across epochs always does."""
    seeds = [None, _seed(observe.draw)]
    size, batch_size, ids, seen = _restarted(observe, seeds, unshuffled=True)
    for seed, loader in zip([*seeds, "unshuffled"], seen):
        kind = "an unshuffled loader" if seed == "unshuffled" else f"a shuffled loader (seed={seed})"
        for epoch, record in enumerate(loader["epochs"], start=1):
            samples = positions_of(record["ids"], ids)
            expect(sorted(samples) == list(range(size)) and len(record["tags"]) == size,
                   f"epoch {epoch} of {kind} over {size} samples (batch_size={batch_size}) "
                   f"should visit each sample once with all its elements, got samples {samples}; "
                   + epoch_hint(samples, size, batch_size, False, "check DataLoader.__iter__"))
            stale = [sample for sample, tag in zip(samples, record["tags"]) if tag < record["start"]]
            expect(not stale,
                   f"epoch {epoch} of {kind} over {size} samples gave samples {stale[:8]} "
                   "as fetched in an earlier epoch, not from the dataset again; every epoch fetches its samples "
                   "from the dataset (do not cache samples or batches across epochs in DataLoader.__iter__)")


@pytest.mark.points(1)
def test_seeded_epochs_property(observe):
    """For dataset sizes from 0, batch sizes past the size, drop_last both ways and seeds from 0: every seeded
    epoch visits a permutation (all but the short last batch with drop_last), a second loader with the same seed
    gives the same epochs, and the two epochs of a loader differ.

    The last is checked only where a uniform loader gives two equal epochs with probability at most 1e-9
    (1 / (size * (size - 1) * ... ) over the kept samples); with at most 8 * 4 cases the false-failure rate is
    below 3.2e-8."""
    check_property(observe, SEEDED_CASES, _seeded_cases_check(observe), examples=8)


@pytest.mark.points(1)
def test_training_loop_learns(observe, draw):
    """Five shuffled epochs of mini-batch gradient descent on a logistic model fit two separated classes."""
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
