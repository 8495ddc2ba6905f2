"""Public checks of the notebook test cell ``test_dataloader_batching`` (Part 3a, DataLoader batching).

These are a few of the tests that grade this cell; more hidden tests run at
grading time, so passing these does not guarantee full points."""

import numpy as np
import pytest

from .support import as_array, batch_ids, batch_parts, expect, ids_dataset

pytestmark = pytest.mark.dataloader


def _epoch_ids(loader):
    """The ids of every batch of one epoch, one list per batch."""
    return [batch_ids(batch) for batch in loader]


def _describe(size, batch_size, drop_last=False):
    return f"DataLoader({size} samples, batch_size={batch_size}{', drop_last=True' if drop_last else ''})"


def _expected_sizes(size, batch_size, drop_last=False):
    full, rest = divmod(size, batch_size)
    return [batch_size] * full + ([rest] if rest and not drop_last else [])


@pytest.mark.points(2)
def test_len_is_ceiling(DataLoader, make_dataset):
    """len(loader) is ceil(N / batch_size) without drop_last."""
    for size, batch_size, expected in ((10, 3, 4), (9, 3, 3), (100, 7, 15), (5, 8, 1), (1, 1, 1), (64, 64, 1)):
        got = len(DataLoader(ids_dataset(make_dataset, size), batch_size=batch_size))
        expect(got == expected, f"len({_describe(size, batch_size)}) should be ceil({size}/{batch_size}) = "
                                f"{expected}, got {got}; check DataLoader.__len__")


@pytest.mark.points(2)
def test_batch_sizes_keep_last_partial_batch(DataLoader, make_dataset):
    """Without drop_last all batches are full except a smaller last one holding the remainder."""
    for size, batch_size in ((10, 3), (9, 3), (23, 5), (100, 7)):
        expected = _expected_sizes(size, batch_size)
        got = [len(ids) for ids in _epoch_ids(DataLoader(ids_dataset(make_dataset, size), batch_size=batch_size))]
        expect(got == expected, f"{_describe(size, batch_size)} should give batches of sizes {expected}, "
                                f"got {got}; check DataLoader.__iter__ (keep the last, smaller batch)")


@pytest.mark.points(2)
def test_collation_keeps_dtypes(DataLoader, make_dataset):
    """Collation keeps each element's dtype: float32 stays float32, int64 labels int64, uint8 uint8."""
    size = 6
    arrays = {"float32 features": np.linspace(0, 1, size * 3, dtype=np.float32).reshape(size, 3),
              "int64 labels": np.arange(size, dtype=np.int64).reshape(size, 1),
              "uint8 pixels": np.arange(size * 2, dtype=np.uint8).reshape(size, 2)}
    batches = list(DataLoader(make_dataset(*arrays.values()), batch_size=4))
    expect(len(batches) >= 1, "6 samples with batch_size=4 should give 2 batches, got none; check DataLoader.__iter__")
    parts = batch_parts(batches[0])
    expect(len(parts) == 3, f"a batch of 3-element samples should have 3 elements, got {len(parts)}")
    for (name, array), part in zip(arrays.items(), parts):
        got = as_array(part).dtype
        expect(got == array.dtype, f"the batch of {name} should keep dtype {array.dtype}, got {got}; "
                                   "do not force a dtype in DataLoader._collate_batch")
