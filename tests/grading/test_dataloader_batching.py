"""Part 3a, DataLoader batching (25 points): number of batches, the last partial
batch and drop_last, order without shuffling, collation (shapes, values, dtypes),
laziness, one epoch per iter(), and batch_size checks.

Datasets come from the ``make_dataset`` fixture, never from the student's
TensorDataset.  Tests of batch boundaries read sample ids from a (N, 1) array,
so they do not depend on how collation stacks.

The hidden cases of this cell; its public checks, shipped to students, are in
``tests/public/test_dataloader_batching.py`` and count toward the same points."""

import numpy as np
import pytest

from tests.public.support import CheckFailed, as_array, batch_parts, expect, expect_raises, ids_dataset
from tests.public.test_dataloader_batching import _describe, _epoch_ids, _expected_sizes
from tinytorch.core.tensor import Tensor

pytestmark = pytest.mark.dataloader


@pytest.mark.points(1)
def test_len_with_drop_last_is_floor(DataLoader, make_dataset):
    """len(loader) is floor(N / batch_size) with drop_last=True (0 when batch_size > N)."""
    for size, batch_size, expected in ((10, 3, 3), (9, 3, 3), (100, 7, 14), (5, 8, 0), (1, 1, 1)):
        got = len(DataLoader(ids_dataset(make_dataset, size), batch_size=batch_size, drop_last=True))
        expect(got == expected, f"len({_describe(size, batch_size, True)}) should be floor({size}/{batch_size}) "
                                f"= {expected}, got {got}; check drop_last in DataLoader.__len__")


@pytest.mark.points(2)
def test_drop_last_skips_partial_batch(DataLoader, make_dataset):
    """With drop_last=True the short last batch is skipped and full batches are kept."""
    for size, batch_size in ((10, 3), (9, 3), (23, 5), (5, 8)):
        expected = _expected_sizes(size, batch_size, drop_last=True)
        loader = DataLoader(ids_dataset(make_dataset, size), batch_size=batch_size, drop_last=True)
        got = [len(ids) for ids in _epoch_ids(loader)]
        expect(got == expected, f"{_describe(size, batch_size, True)} should give batches of sizes {expected}, "
                                f"got {got}; respect drop_last in DataLoader.__iter__")


@pytest.mark.points(2)
def test_edge_batch_sizes(DataLoader, make_dataset):
    """batch_size 1, equal to N and larger than N, and a single-sample dataset, batch correctly."""
    cases = [(5, 1, [[0], [1], [2], [3], [4]]), (5, 5, [[0, 1, 2, 3, 4]]), (5, 8, [[0, 1, 2, 3, 4]]),
             (1, 1, [[0]]), (1, 4, [[0]])]
    for size, batch_size, expected in cases:
        got = _epoch_ids(DataLoader(ids_dataset(make_dataset, size), batch_size=batch_size))
        expect(got == expected, f"{_describe(size, batch_size)} should give the batches {expected}, got {got}; "
                                "check DataLoader.__iter__")


@pytest.mark.points(2)
def test_order_preserved_without_shuffle(DataLoader, make_dataset):
    """Without shuffle, batch k holds samples k*bs .. k*bs + bs - 1 in order."""
    for size, batch_size in ((12, 3), (16, 4)):
        expected = [list(range(start, start + batch_size)) for start in range(0, size, batch_size)]
        got = _epoch_ids(DataLoader(ids_dataset(make_dataset, size), batch_size=batch_size))
        expect(got == expected, f"{_describe(size, batch_size)} without shuffle should give the samples in "
                                f"order {expected}, got {got}; check DataLoader.__iter__")


@pytest.mark.points(2)
def test_collation_stacks_along_new_first_axis(DataLoader, make_dataset):
    """Each batch element has shape (batch, *sample_shape) and stacks the samples in order."""
    size, batch_size = 7, 3
    images = np.arange(size * 3 * 2, dtype=np.float32).reshape(size, 3, 2)
    labels = np.arange(200, 200 + size, dtype=np.int64)
    batches = list(DataLoader(make_dataset(images, labels), batch_size=batch_size))
    expect(len(batches) >= 2, f"7 samples with batch_size=3 should give 3 batches, got {len(batches)}; "
                              "check DataLoader.__iter__")
    for number, batch in enumerate(batches):
        parts = batch_parts(batch)
        expect(len(parts) == 2, f"a batch of (image, label) samples should have 2 elements, got {len(parts)}; "
                                "check DataLoader._collate_batch")
        rows = slice(number * batch_size, (number + 1) * batch_size)
        for name, part, source in (("images", parts[0], images), ("labels", parts[1], labels)):
            got = as_array(part)
            expected = source[rows]
            expect(got.shape == expected.shape,
                   f"batch {number} of 3x2 images and scalar labels (batch_size={batch_size}, {size} samples): "
                   f"{name} should have shape {expected.shape}, got {got.shape}; stack along a new axis 0 "
                   "(np.stack) in DataLoader._collate_batch")
            expect(np.array_equal(got, expected),
                   f"batch {number}: {name} should be samples {rows.start}..{min(rows.stop, size) - 1} stacked "
                   f"in order, got {got.tolist()}; check DataLoader._collate_batch")


@pytest.mark.points(1)
def test_batch_elements_are_tensors(DataLoader, make_dataset):
    """A batch is a tuple (or list) with one Tensor per sample element."""
    size = 5
    ds = make_dataset(np.zeros((size, 3), dtype=np.float32), np.arange(size, dtype=np.int64).reshape(size, 1))
    batches = list(DataLoader(ds, batch_size=2))
    expect(len(batches) >= 2, f"5 samples with batch_size=2 should give 3 batches, got {len(batches)}; "
                              "check DataLoader.__iter__")
    for batch in batches:
        expect(isinstance(batch, (tuple, list)) and len(batch) == 2,
               f"a batch of (features, label) samples should be a tuple of 2 Tensors, got "
               f"{type(batch).__name__}{'' if not isinstance(batch, (tuple, list)) else f' of {len(batch)}'}; "
               "check DataLoader._collate_batch")
        kinds = [type(part).__name__ for part in batch]
        expect(all(isinstance(part, Tensor) for part in batch),
               f"each element of a batch should be a Tensor, got {kinds}; wrap the stacked arrays in Tensor "
               "in DataLoader._collate_batch")


@pytest.mark.points(1)
def test_single_tensor_samples_give_a_tensor(DataLoader, make_dataset):
    """A dataset whose samples are single Tensors (not tuples) gives batches that are single Tensors."""
    size, batch_size = 6, 2
    vectors = np.arange(size * 3, dtype=np.float32).reshape(size, 3)
    base = make_dataset(vectors)

    class SingleTensorDataset(type(base)):
        def __getitem__(self, index):
            return super().__getitem__(index)[0]

    batches = list(DataLoader(SingleTensorDataset(), batch_size=batch_size))
    expect(len(batches) == 3, f"6 single-Tensor samples with batch_size=2 should give 3 batches, got {len(batches)}")
    for number, batch in enumerate(batches):
        expect(isinstance(batch, Tensor),
               f"when samples are single Tensors each batch should be a single Tensor, got "
               f"{type(batch).__name__}; handle non-tuple samples in DataLoader._collate_batch")
        expected = vectors[number * batch_size:(number + 1) * batch_size]
        expect(np.array_equal(np.sort(batch.data, axis=None), np.sort(expected, axis=None)),
               f"batch {number} should hold samples {number * batch_size} and {number * batch_size + 1}, "
               f"got {batch.data.tolist()}")


@pytest.mark.points(2)
def test_loads_lazily_one_batch_at_a_time(DataLoader, make_dataset):
    """Taking a batch fetches exactly that batch's samples: nothing is loaded ahead."""
    size, batch_size = 100, 8
    ds = ids_dataset(make_dataset, size)
    batches = iter(DataLoader(ds, batch_size=batch_size))
    next(batches)
    expect(ds.fetched == list(range(batch_size)),
           f"taking the first batch of {_describe(size, batch_size)} should fetch samples 0..7 only, but "
           f"{len(ds.fetched)} fetches were made (first ones: {ds.fetched[:10]}); make DataLoader.__iter__ a "
           "generator that loads one batch per step")
    next(batches)
    next(batches)
    expect(ds.fetched == list(range(3 * batch_size)),
           f"after 3 batches of 8 exactly samples 0..23 should have been fetched, got {len(ds.fetched)} fetches; "
           "load each batch only when it is requested in DataLoader.__iter__")


@pytest.mark.points(2)
def test_each_iter_is_a_full_epoch(DataLoader, make_dataset):
    """Iterating the loader again gives a complete new epoch, also after a partial one."""
    size, batch_size = 9, 3
    loader = DataLoader(ids_dataset(make_dataset, size), batch_size=batch_size)
    expected = [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    first = _epoch_ids(loader)
    second = _epoch_ids(loader)
    expect(first == expected and second == expected,
           f"two epochs of {_describe(size, batch_size)} should each give {expected}, got {first} then {second}; "
           "each iter(loader) should start a new epoch in DataLoader.__iter__")
    partial = iter(loader)
    next(partial)
    third = _epoch_ids(loader)
    expect(third == expected, f"a new epoch after a half-used one should give {expected}, got {third}; "
                              "do not keep the position in the loader between iter() calls")


@pytest.mark.points(2)
def test_bad_batch_size_rejected(DataLoader, make_dataset):
    """batch_size 0, negative, float (2.5 and 4.0) and bool is refused with ValueError."""
    ds = ids_dataset(make_dataset, 10)
    for bad in (0, -1, -16, 2.5, 4.0, True, False):
        expect_raises(ValueError, lambda: DataLoader(ds, batch_size=bad),
                      f"DataLoader(batch_size={bad!r}) should raise ValueError (batch_size must be a positive "
                      "integer, not a bool or float); check DataLoader.__init__")


@pytest.mark.points(1)
def test_bad_batch_size_message(DataLoader, make_dataset):
    """The batch_size ValueError says "positive integer" and shows the value given."""
    ds = ids_dataset(make_dataset, 10)
    for bad in (-17, 2.5):
        error = expect_raises(ValueError, lambda: DataLoader(ds, batch_size=bad),
                              f"DataLoader(batch_size={bad!r}) should raise ValueError")
        message = str(error)
        expect("positive integer" in message and str(bad) in message,
               f"the ValueError for batch_size={bad!r} should contain \"positive integer\" and {bad!r}, got the "
               f"message {message!r}; check DataLoader.__init__")


@pytest.mark.points(1)
def test_numpy_integer_batch_size(DataLoader, make_dataset):
    """NumPy integers are valid batch sizes: np.int64(4) and np.int32(3) work like 4 and 3."""
    for batch_size, expected in ((np.int64(4), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]),
                                 (np.int32(3), [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10, 11]])):
        label = f"np.{type(batch_size).__name__}({batch_size})"
        try:
            loader = DataLoader(ids_dataset(make_dataset, 12), batch_size=batch_size)
        except (ValueError, TypeError) as error:
            raise CheckFailed(f"DataLoader(12 samples, batch_size={label}) should be accepted, but it raised "
                              f"{type(error).__name__}: {error}; accept NumPy integers in "
                              "DataLoader.__init__") from None
        expect(len(loader) == len(expected),
               f"len(DataLoader(12 samples, batch_size={label})) should be {len(expected)}, got {len(loader)}")
        got = _epoch_ids(loader)
        expect(got == expected, f"DataLoader(12 samples, batch_size={label}) should give {expected}, got {got}")
