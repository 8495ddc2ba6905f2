"""Judging helpers of ``test_dataloader_shuffle.py``: drawn ids and seeds, the global random
states a seeded run should leave alone, the statistics of the position-bias test (the naive
swap's exact position matrix, a one-sided Bernstein bound), and the seeded-epochs property.

Plain data in, expected values and messages out; nothing here calls student code."""

import math
import random

import numpy as np
from hypothesis import strategies as st

from grading_suite.public.checks import epoch_hint, expect, positions_of
from grading_suite.public.test_dataloader_shuffle import _ids, _seed  # noqa: F401 - the public cell's own draws


def _big_seed(draw):
    """A drawn large int seed (up to 2**32 - 1) for DataLoader(..., seed=...)."""
    return draw.randrange(2**31, 2**32)


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


def _naive_swap_matrix(size):
    """P[k, p]: the exact probability that the naive swap shuffle (for i in 0..size-1: swap the items at
    i and j, with j uniform in 0..size-1) leaves item k at position p.  Each item's position is a Markov
    chain over the size steps."""
    matrix = np.zeros((size, size))
    for item in range(size):
        where = np.zeros(size)
        where[item] = 1.0
        for step in range(size):
            moved = np.full(size, where[step] / size)      # the item at `step` goes to a uniform j
            kept = where * (size - 1) / size                # any other item stays unless j is its place,
            kept[step] = 0.0
            moved[step] += (where.sum() - where[step]) / size  # ...then it goes to `step`
            where = kept + moved
        matrix[item] = where
    return matrix


def _one_sided_bernstein(epochs, variance, bound, false_failure):
    """t such that a sum of ``epochs`` independent zero-mean scores, each of variance ``variance`` and
    |score| <= ``bound``, reaches t with probability below ``false_failure`` (Bernstein's inequality:
    P(S >= t) <= exp(-t^2 / (2 (epochs var + bound t / 3))))."""
    log_term = math.log(1 / false_failure)
    b = 2 * log_term * bound / 3
    return (b + math.sqrt(b * b + 8 * log_term * epochs * variance)) / 2


def _restarted(observe, seeds, unshuffled=False):
    """(size, batch_size, ids, what ``restarted_epochs`` saw) for a shuffled loader per seed of ``seeds``
    (and, with ``unshuffled``, a loader with shuffle=False last)."""
    draw = observe.draw
    size, batch_size = draw.randint(40, 64), draw.randint(6, 12)
    ids = _ids(draw, size)
    seen = observe("dataloader_shuffle.restarted_epochs", ids=ids, batch_size=batch_size, seeds=seeds, firsts=3,
                   unshuffled=unshuffled)
    loaders = len(seeds) + unshuffled
    expect(type(seen) is list and len(seen) == loaders, f"expected the epochs of {loaders} loaders")
    return size, batch_size, ids, seen


# The cases of test_seeded_epochs_property: (size, batch_size, seed, drop_last, first sample id).
SEEDED_CASES = st.lists(st.tuples(st.integers(0, 30), st.integers(1, 36),
                                  st.one_of(st.just(0), st.integers(0, 2**32 - 1)),
                                  st.booleans(), st.integers(1000, 2**24 - 64)),
                        min_size=1, max_size=4)


def _seeded_cases_check(observe):
    """The check of one example of SEEDED_CASES: one probe call runs every case, whose epochs
    must be permutations (of the kept samples), equal for two loaders built alike, and differ
    between the two epochs of a loader where a uniform loader makes that near certain."""

    def check(example):
        seen = observe("dataloader_shuffle.seeded_epochs_of_cases", cases=[list(item) for item in example])
        expect(type(seen) is list and len(seen) == len(example), f"expected the epochs of {len(example)} cases")
        for (size, batch_size, seed, drop_last, first_id), (epochs, twin) in zip(example, seen):
            ids = list(range(first_id, first_id + size))
            kept = size // batch_size * batch_size if drop_last else size
            where = (f"a shuffled DataLoader({size} samples, batch_size={batch_size}, drop_last={drop_last}, "
                     f"seed={seed})")
            orders = [positions_of(order, ids) for order in epochs]
            for epoch, samples in enumerate(orders, start=1):
                expect(len(samples) == kept and len(set(samples)) == kept and -1 not in samples,
                       f"epoch {epoch} of {where} should visit {kept} distinct samples of 0..{size - 1}, got "
                       f"samples {samples}; " + epoch_hint(samples, size, batch_size, drop_last, "shuffle all "
                                                           "indices, then cut them into batches in DataLoader.__iter__"))
            expect([positions_of(order, ids) for order in twin] == orders,
                   f"two loaders built alike, {where}, gave different epochs {orders} and "
                   f"{[positions_of(order, ids) for order in twin]}; the same seed should give the same sequence "
                   "of epochs (use the loader's own generator, as _epoch_order does, in DataLoader.__iter__)")
            chance = 1.0
            for taken in range(kept):
                chance /= size - taken
            expect(chance > 1e-9 or orders[0] != orders[1],
                   f"the two epochs of {where} came in the same order {orders[0]}; draw a new permutation in "
                   "DataLoader.__iter__ (each epoch), from the loader's generator, without reseeding it")

    return check
