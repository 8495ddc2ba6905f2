"""Public checks of the notebook test cell ``test_dataloader_shuffle`` (Part 3b, DataLoader shuffling).

These are a few of the tests that grade this cell; more hidden tests run at
grading time, so passing these does not guarantee full points.

The inputs (dataset sizes, batch sizes, seeds and sample ids) are drawn from
``observe.draw``: your own run always draws the same ones, the grader draws
others.  Sample i of a dataset holds a drawn id; the checks map the ids an
epoch gave back to sample numbers 0..N-1 (-1 for an id that is no sample's)."""

import pytest

from .checks import distinct_ids, epoch_hint, expect, positions_of

pytestmark = pytest.mark.dataloader


def _shuffle_cases(draw):
    """(size, batch_size) pairs: a short last batch in a small and in a larger dataset, full
    batches only, batch_size larger than the dataset, a single sample, and 50 to 64 samples."""
    small, larger, full, tiny = draw.randint(3, 5), draw.randint(3, 6), draw.randint(4, 8), draw.randint(2, 6)
    big = draw.randint(50, 64)
    return [(small * draw.randint(2, 3) + draw.randint(1, small - 1), small),
            (larger * draw.randint(3, 5) + draw.randint(1, larger - 1), larger),
            (full * draw.randint(2, 4), full),
            (tiny, tiny + draw.randint(1, 4)),
            (1, 1),
            (big, draw.choice([batch_size for batch_size in range(8, 17) if big % batch_size]))]


def _ids(draw, size):
    """``size`` distinct drawn sample ids, below 2**24 so they stay exact in float32."""
    return distinct_ids(draw, size, high=2**24)


def _seed(draw):
    """A drawn int seed for DataLoader(..., seed=...)."""
    return draw.randrange(1, 10**6)


@pytest.mark.points(2)
def test_every_sample_once_per_epoch(observe):
    """A shuffled epoch visits every sample exactly once, including a last partial batch, in a changed order.

    Only orders of 50 samples or more must differ from 0..N-1: a correct loader keeps them with
    probability 1/50! (below 1e-64); a loader that does not shuffle fails under every draw."""
    for size, batch_size in _shuffle_cases(observe.draw):
        for seed in (None, _seed(observe.draw)):
            ids = _ids(observe.draw, size)
            orders = observe("dataloader_shuffle.visit_orders", ids=ids, batch_size=batch_size, epochs=2,
                             options={"shuffle": True, "seed": seed})
            for epoch, order in enumerate(orders, start=1):
                samples = positions_of(order, ids)
                expect(sorted(samples) == list(range(size)),
                       f"epoch {epoch} of a shuffled DataLoader({size} samples, batch_size={batch_size}, seed={seed}) "
                       f"should visit each of samples 0..{size - 1} exactly once, got samples {samples}; "
                       + epoch_hint(samples, size, batch_size, False, "fetch the samples in the order of a "
                                    "permutation of all indices in DataLoader.__iter__"))
            expect(size < 50 or positions_of(orders[-1], ids) != list(range(size)),
                   f"shuffle=True over {size} samples (seed={seed}) should change the order, but the samples came "
                   f"in order 0..{size - 1}; use self._epoch_order() in DataLoader.__iter__")


@pytest.mark.points(2)
def test_new_order_every_epoch(observe):
    """Each iter(loader) draws a new permutation (shuffle per epoch, not once in __init__).

    A correct loader repeats an order of 40 samples or more with probability 1/40! (below 1e-47);
    shuffling once in __init__, or reseeding every epoch, fails under every draw."""
    size, batch_size = observe.draw.randint(40, 64), observe.draw.randint(4, 16)
    for seed in (None, _seed(observe.draw)):
        ids = _ids(observe.draw, size)
        first, second = (positions_of(order, ids) for order in observe(
            "dataloader_shuffle.visit_orders", ids=ids, batch_size=batch_size, epochs=2,
            options={"shuffle": True, "seed": seed}))
        expect(-1 not in first + second,
               f"two epochs of a shuffled loader over {size} samples (seed={seed}) gave ids that belong to no "
               f"sample (shown as -1): {first} and {second}; batches should hold the dataset's own samples")
        expect(first != second,
               f"two epochs of a shuffled loader over {size} samples (seed={seed}) came in the same order; draw a "
               "new permutation in DataLoader.__iter__ (each epoch), not once in __init__, and do not reseed there")
