"""Public checks of the notebook test cell ``test_dataloader_batching`` (Part 3a, DataLoader batching).

These are a few of the tests that grade this cell; more hidden tests run at
grading time, so passing these does not guarantee full points."""

import numpy as np
import pytest

from .checks import expect

pytestmark = pytest.mark.dataloader


def _describe(size, batch_size, drop_last=False):
    return f"DataLoader({size} samples, batch_size={batch_size}{', drop_last=True' if drop_last else ''})"


def _expected_sizes(size, batch_size, drop_last=False):
    full, rest = divmod(size, batch_size)
    return [batch_size] * full + ([rest] if rest and not drop_last else [])


def _spec(array):
    """An array as a probe argument: ``{"values": nested list, "dtype": name}``."""
    return {"values": array.tolist(), "dtype": array.dtype.name}


def _dtype(described):
    """The dtype name of a described array ("?" when it has none)."""
    return str(described.get("dtype")) if type(described) is dict else "?"


@pytest.mark.points(2)
def test_len_is_ceiling(observe):
    """len(loader) is ceil(N / batch_size) without drop_last."""
    for size, batch_size, expected in ((10, 3, 4), (9, 3, 3), (100, 7, 15), (5, 8, 1), (1, 1, 1), (64, 64, 1)):
        got = observe("dataloader_batching.loader_len", size=size, batch_size=batch_size)
        expect(got == expected, f"len({_describe(size, batch_size)}) should be ceil({size}/{batch_size}) = "
                                f"{expected}, got {got}; check DataLoader.__len__")


@pytest.mark.points(2)
def test_batch_sizes_keep_last_partial_batch(observe):
    """Without drop_last all batches are full except a smaller last one holding the remainder."""
    for size, batch_size in ((10, 3), (9, 3), (23, 5), (100, 7)):
        expected = _expected_sizes(size, batch_size)
        got = [len(ids) for ids in observe("dataloader_batching.epoch_ids", size=size, batch_size=batch_size)]
        expect(got == expected, f"{_describe(size, batch_size)} should give batches of sizes {expected}, "
                                f"got {got}; check DataLoader.__iter__ (keep the last, smaller batch)")


@pytest.mark.points(2)
def test_collation_keeps_dtypes(observe):
    """Collation keeps each element's dtype: float32 stays float32, int64 labels int64, uint8 uint8."""
    size = 6
    arrays = {"float32 features": np.linspace(0, 1, size * 3, dtype=np.float32).reshape(size, 3),
              "int64 labels": np.arange(size, dtype=np.int64).reshape(size, 1),
              "uint8 pixels": np.arange(size * 2, dtype=np.uint8).reshape(size, 2)}
    batches = observe("dataloader_batching.epoch_batches", arrays=[_spec(a) for a in arrays.values()], batch_size=4)
    expect(len(batches) >= 1, "6 samples with batch_size=4 should give 2 batches, got none; check DataLoader.__iter__")
    parts = batches[0]["arrays"]
    expect(len(parts) == 3, f"a batch of 3-element samples should have 3 elements, got {len(parts)}")
    for (name, array), part in zip(arrays.items(), parts):
        got = _dtype(part)
        expect(got == array.dtype.name,
               f"the batch of {name} should keep dtype {array.dtype}, got {got}; "
               "do not force a dtype in DataLoader._collate_batch")
