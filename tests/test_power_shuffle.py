"""The power of the shuffle cell's statistical check (hidden ``test_no_position_bias``)
against named biases, and its false failures on the reference, measured.

Each biased loader is the reference ``DataLoader`` with ``_epoch_order`` replaced
by a biased shuffle.  The judgement runs as in the grader: its inputs drawn from a
draw key (``observe.DRAW_KEY``), its probe run through ``observe.run_probe`` and
the wire encoding (``observe``'s local backend), here in this process on the biased
class (a ``Submission`` whose namespace holds it), instead of in a sandboxed child.  Every draw key is
fixed, so the measured figures never change between runs; ``-s`` prints them.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.grading.student_code import Submission, set_current
from grading_suite.hidden import test_dataloader_shuffle as hidden
from grading_suite.public import observe
from tinytorch.core import dataloader as reference

NODEID = "test_dataloader_shuffle.py::test_no_position_bias"  # as the grader names it: its draws are the graded ones


def _source(loader):
    """np.random (seed=None) or the loader's own generator: integers in [low, high)."""
    generator = loader._generator
    return (lambda low, high: int(generator.integers(low, high))) if generator is not None else (
        lambda low, high: int(np.random.randint(low, high)))


class SwapShuffle(reference.DataLoader):
    """A shuffle by swaps: each position i of ``positions(size)``, in order, swaps with
    ``partner(draw, i, size)``.  As it stands, the naive swap: for i in range(n), j uniform in
    0..n-1 (the classic biased shuffle)."""

    def positions(self, size):
        return range(size)

    def partner(self, draw, i, size):
        return draw(0, size)

    def _epoch_order(self):
        size, draw = len(self.dataset), _source(self)
        order = list(range(size))
        if self.shuffle:
            for i in self.positions(size):
                j = self.partner(draw, i, size)
                order[i], order[j] = order[j], order[i]
        return np.array(order)


class NaiveSwap(SwapShuffle):
    """for i in range(n): j = uniform in 0..n-1; swap (the classic biased shuffle)."""


class NaiveSwapBackwards(SwapShuffle):
    """The naive swap with the loop run from the last position down."""

    def positions(self, size):
        return reversed(range(size))


class Sattolo(SwapShuffle):
    """Fisher-Yates with j in 0..i-1 (one short): only cyclic orders, no sample stays in place."""

    def positions(self, size):
        return range(size - 1, 0, -1)

    def partner(self, draw, i, size):
        return draw(0, i)


class LastNeverMoves(reference.DataLoader):
    """Permutes all indices but the last, which stays last."""

    def _epoch_order(self):
        order = super()._epoch_order()
        if not self.shuffle or len(order) < 2:
            return order
        head = order[order != len(order) - 1]
        return np.concatenate([head, [len(order) - 1]])


class NeverFirst(reference.DataLoader):
    """A uniform permutation, but sample 0 is never first (swapped one place on when it is)."""

    def _epoch_order(self):
        order = super()._epoch_order()
        if self.shuffle and len(order) > 1 and order[0] == 0:
            order[0], order[1] = order[1], order[0]
        return order


class WithinBatches(reference.DataLoader):
    """Shuffles each batch's indices among themselves: batches keep their samples."""

    def _epoch_order(self):
        size = len(self.dataset)
        if not self.shuffle:
            return np.arange(size)
        draw = self._generator if self._generator is not None else np.random
        return np.concatenate([draw.permutation(np.arange(start, min(start + self.batch_size, size)))
                               for start in range(0, size, self.batch_size)])


def caught(loader_class, keys: range) -> list[bool]:
    """For each draw key: whether test_no_position_bias fails on ``loader_class`` (its probes run here,
    through the local backend of ``observe``, on a submission that holds the class)."""
    set_current(Submission({"DataLoader": loader_class, "Dataset": reference.Dataset}, label="a biased loader"))
    previous = observe.DRAW_KEY
    verdicts = []
    try:
        for key in keys:
            observe.DRAW_KEY = f"power {key}".encode()
            try:
                observer = observe.Observer(NODEID, "dataloader")
                hidden.test_no_position_bias(observer, observer.draw)
            except AssertionError:
                verdicts.append(True)
            else:
                verdicts.append(False)
    finally:
        observe.DRAW_KEY = previous
        set_current(None)
    return verdicts


# bias -> (keys, smallest share of them that must fail).  The required power per draw is 0.99
# (about 0.999 designed, see POSITION_EPOCHS): a sample of 60 keys may miss once (0.983); the
# others fail under every key (their deviations are many tolerances wide).
BIASES = {
    NaiveSwap: (range(60), 0.98),
    NaiveSwapBackwards: (range(100, 120), 0.95),
    Sattolo: (range(200, 208), 1.0),
    LastNeverMoves: (range(300, 308), 1.0),
    NeverFirst: (range(400, 408), 1.0),
    WithinBatches: (range(500, 508), 1.0),
}


@pytest.mark.parametrize("bias", list(BIASES), ids=lambda bias: bias.__name__)
def test_position_bias_check_catches_named_bias(bias):
    keys, bound = BIASES[bias]
    verdicts = caught(bias, keys)
    power = sum(verdicts) / len(verdicts)
    print(f"\n{bias.__name__}: caught under {sum(verdicts)} of {len(verdicts)} draw keys (power {power:.3f}, "
          f"required {bound})")
    assert power >= bound, f"{bias.__name__}: power {power:.3f} < {bound}"


def test_reference_passes_position_bias_check_under_every_key():
    keys = range(1000, 1040)
    verdicts = caught(reference.DataLoader, keys)
    print(f"\nreference: failed under {sum(verdicts)} of {len(verdicts)} draw keys (bound 1e-6 per key)")
    assert not any(verdicts)
