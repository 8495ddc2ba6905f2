"""Public checks of the notebook test cell ``test_dataloader_shuffle`` (Part 3b, DataLoader shuffling).

These are a few of the tests that grade this cell; more hidden tests run at
grading time, so passing these does not guarantee full points."""

import pytest

from .checks import expect

pytestmark = pytest.mark.dataloader


@pytest.mark.points(2)
def test_every_sample_once_per_epoch(observe):
    """A shuffled epoch visits every sample exactly once, including a last partial batch, in a changed order."""
    for size, batch_size in ((10, 3), (17, 4), (32, 8), (5, 7), (1, 1), (50, 16)):
        for seed in (None, 4):
            orders = observe("dataloader_shuffle.visit_orders", size=size, batch_size=batch_size, epochs=2,
                             options={"shuffle": True, "seed": seed})
            for epoch, order in enumerate(orders, start=1):
                expect(sorted(order) == list(range(size)),
                       f"epoch {epoch} of a shuffled DataLoader({size} samples, batch_size={batch_size}, seed={seed}) "
                       f"should visit each of samples 0..{size - 1} exactly once, got {order}; fetch the samples "
                       "in the order of a permutation of all indices in DataLoader.__iter__")
            expect(size < 50 or orders[-1] != list(range(size)),
                   f"shuffle=True over {size} samples (seed={seed}) should change the order, but the samples came "
                   "in order 0..49; use self._epoch_order() in DataLoader.__iter__")


@pytest.mark.points(3)
def test_new_order_every_epoch(observe):
    """Each iter(loader) draws a new permutation (shuffle per epoch, not once in __init__)."""
    size, batch_size = 50, 16
    for seed in (None, 9):
        first, second = observe("dataloader_shuffle.visit_orders", size=size, batch_size=batch_size, epochs=2,
                                options={"shuffle": True, "seed": seed})
        expect(first != second,
               f"two epochs of a shuffled loader over 50 samples (seed={seed}) came in the same order; draw a new "
               "permutation in DataLoader.__iter__ (each epoch), not once in __init__, and do not reseed there")
