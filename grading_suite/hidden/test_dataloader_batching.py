"""Part 3a, DataLoader batching (25 points): number of batches, the last partial
batch and drop_last, order without shuffling, collation (shapes, values, dtypes),
laziness, one epoch per iter(), and batch_size checks.

Datasets come from ``support.make_dataset``, never from the student's
TensorDataset.  Tests of batch boundaries read sample ids from a (N, 1) array,
so they do not depend on how collation stacks.

The hidden cases of this cell; its public checks, shipped to students, are in
``public/test_dataloader_batching.py`` and count toward the same points."""

import numpy as np
import pytest

from grading_suite.public.checks import (CheckFailed, array_of, expect, expect_raised, is_error, items_of, kind,
                                         message_of, raised, whole_message)
from grading_suite.public.observe import describe_raised
from grading_suite.public.test_dataloader_batching import _describe, _expected_sizes, _spec

pytestmark = pytest.mark.dataloader


def _shape(described):
    """The shape of a described array as a tuple (None when it has none)."""
    shape = described.get("shape") if type(described) is dict else None
    return tuple(shape) if type(shape) is list else None


@pytest.mark.points(1)
def test_len_with_drop_last_is_floor(observe):
    """len(loader) is floor(N / batch_size) with drop_last=True (0 when batch_size > N)."""
    for size, batch_size, expected in ((10, 3, 3), (9, 3, 3), (100, 7, 14), (5, 8, 0), (1, 1, 1)):
        got = observe("dataloader_batching.loader_len", size=size, batch_size=batch_size, drop_last=True)
        expect(got == expected, f"len({_describe(size, batch_size, True)}) should be floor({size}/{batch_size}) "
                                f"= {expected}, got {got}; check drop_last in DataLoader.__len__")


@pytest.mark.points(2)
def test_drop_last_skips_partial_batch(observe):
    """With drop_last=True the short last batch is skipped and full batches are kept."""
    for size, batch_size in ((10, 3), (9, 3), (23, 5), (5, 8)):
        expected = _expected_sizes(size, batch_size, drop_last=True)
        epoch = observe("dataloader_batching.epoch_ids", size=size, batch_size=batch_size, drop_last=True)
        got = [len(ids) for ids in epoch]
        expect(got == expected, f"{_describe(size, batch_size, True)} should give batches of sizes {expected}, "
                                f"got {got}; respect drop_last in DataLoader.__iter__")


@pytest.mark.points(2)
def test_edge_batch_sizes(observe):
    """batch_size 1, equal to N and larger than N, and a single-sample dataset, batch correctly."""
    cases = [(5, 1, [[0], [1], [2], [3], [4]]), (5, 5, [[0, 1, 2, 3, 4]]), (5, 8, [[0, 1, 2, 3, 4]]),
             (1, 1, [[0]]), (1, 4, [[0]])]
    for size, batch_size, expected in cases:
        got = observe("dataloader_batching.epoch_ids", size=size, batch_size=batch_size)
        expect(got == expected, f"{_describe(size, batch_size)} should give the batches {expected}, got {got}; "
                                "check DataLoader.__iter__")


@pytest.mark.points(2)
def test_order_preserved_without_shuffle(observe):
    """Without shuffle, batch k holds samples k*bs .. k*bs + bs - 1 in order."""
    for size, batch_size in ((12, 3), (16, 4)):
        expected = [list(range(start, start + batch_size)) for start in range(0, size, batch_size)]
        got = observe("dataloader_batching.epoch_ids", size=size, batch_size=batch_size)
        expect(got == expected, f"{_describe(size, batch_size)} without shuffle should give the samples in "
                                f"order {expected}, got {got}; check DataLoader.__iter__")


@pytest.mark.points(2)
def test_collation_stacks_along_new_first_axis(observe):
    """Each batch element has shape (batch, *sample_shape) and stacks the samples in order."""
    size, batch_size = 7, 3
    images = np.arange(size * 3 * 2, dtype=np.float32).reshape(size, 3, 2)
    labels = np.arange(200, 200 + size, dtype=np.int64)
    batches = observe("dataloader_batching.epoch_batches", arrays=[_spec(images), _spec(labels)],
                      batch_size=batch_size)
    expect(len(batches) >= 2, f"7 samples with batch_size=3 should give 3 batches, got {len(batches)}; "
                              "check DataLoader.__iter__")
    for number, batch in enumerate(batches):
        parts = batch["arrays"]
        expect(len(parts) == 2, f"a batch of (image, label) samples should have 2 elements, got {len(parts)}; "
                                "check DataLoader._collate_batch")
        rows = slice(number * batch_size, (number + 1) * batch_size)
        for name, part, source in (("images", parts[0], images), ("labels", parts[1], labels)):
            got = array_of(part)
            expected = source[rows]
            expect(_shape(part) == expected.shape,
                   f"batch {number} of 3x2 images and scalar labels (batch_size={batch_size}, {size} samples): "
                   f"{name} should have shape {expected.shape}, got {_shape(part)}; stack along a new axis 0 "
                   "(np.stack) in DataLoader._collate_batch")
            expect(got is not None and np.array_equal(got, expected),
                   f"batch {number}: {name} should be samples {rows.start}..{min(rows.stop, size) - 1} stacked "
                   f"in order, got {got.tolist() if got is not None else 'an array of dtype ' + str(part.get('dtype'))}"
                   "; check DataLoader._collate_batch")


@pytest.mark.points(1)
def test_batch_elements_are_tensors(observe):
    """A batch is a tuple (or list) with one Tensor per sample element."""
    size = 5
    batches = observe("dataloader_batching.epoch_batches",
                      arrays=[_spec(np.zeros((size, 3), dtype=np.float32)),
                              _spec(np.arange(size, dtype=np.int64).reshape(size, 1))],
                      batch_size=2)
    expect(len(batches) >= 2, f"5 samples with batch_size=2 should give 3 batches, got {len(batches)}; "
                              "check DataLoader.__iter__")
    for seen in batches:
        batch = seen["batch"]
        is_sequence = kind(batch) in ("tuple", "list")
        items = items_of(batch)
        expect(is_sequence and len(items) == 2,
               f"a batch of (features, label) samples should be a tuple of 2 Tensors, got "
               f"{batch.get('type')}{'' if not is_sequence else f' of {len(items)}'}; "
               "check DataLoader._collate_batch")
        kinds = [part.get("type") for part in items]
        expect(all(kind(part) == "Tensor" for part in items),
               f"each element of a batch should be a Tensor, got {kinds}; wrap the stacked arrays in Tensor "
               "in DataLoader._collate_batch")


@pytest.mark.points(1)
def test_single_tensor_samples_give_a_tensor(observe):
    """A dataset whose samples are single Tensors (not tuples) gives batches that are single Tensors."""
    size, batch_size = 6, 2
    vectors = np.arange(size * 3, dtype=np.float32).reshape(size, 3)
    batches = observe("dataloader_batching.single_tensor_epoch", arrays=[_spec(vectors)], batch_size=batch_size)
    expect(len(batches) == 3, f"6 single-Tensor samples with batch_size=2 should give 3 batches, got {len(batches)}")
    for number, seen in enumerate(batches):
        batch = seen["batch"]
        expect(kind(batch) == "Tensor",
               f"when samples are single Tensors each batch should be a single Tensor, got "
               f"{batch.get('type')}; handle non-tuple samples in DataLoader._collate_batch")
        got = array_of(batch)
        expected = vectors[number * batch_size:(number + 1) * batch_size]
        expect(got is not None and np.array_equal(np.sort(got, axis=None), np.sort(expected, axis=None)),
               f"batch {number} should hold samples {number * batch_size} and {number * batch_size + 1}, "
               f"got {got.tolist() if got is not None else 'data of dtype ' + str(batch.get('dtype'))}")


@pytest.mark.points(2)
def test_loads_lazily_one_batch_at_a_time(observe):
    """Taking a batch fetches exactly that batch's samples: nothing is loaded ahead."""
    size, batch_size = 100, 8
    seen = observe("dataloader_batching.lazy_fetches", size=size, batch_size=batch_size)
    first = seen["after_one"]
    expect(first["count"] == batch_size and first["fetched"] == list(range(batch_size)),
           f"taking the first batch of {_describe(size, batch_size)} should fetch samples 0..7 only, but "
           f"{first['count']} fetches were made (first ones: {first['fetched'][:10]}); make DataLoader.__iter__ a "
           "generator that loads one batch per step")
    third = seen["after_three"]
    expect(third["count"] == 3 * batch_size and third["fetched"] == list(range(3 * batch_size)),
           f"after 3 batches of 8 exactly samples 0..23 should have been fetched, got {third['count']} fetches; "
           "load each batch only when it is requested in DataLoader.__iter__")


@pytest.mark.points(2)
def test_each_iter_is_a_full_epoch(observe):
    """Iterating the loader again gives a complete new epoch, also after a partial one."""
    size, batch_size = 9, 3
    seen = observe("dataloader_batching.repeated_epochs", size=size, batch_size=batch_size)
    expected = [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    first, second, third = seen["first"], seen["second"], seen["third"]
    expect(first == expected and second == expected,
           f"two epochs of {_describe(size, batch_size)} should each give {expected}, got {first} then {second}; "
           "each iter(loader) should start a new epoch in DataLoader.__iter__")
    expect(third == expected, f"a new epoch after a half-used one should give {expected}, got {third}; "
                              "do not keep the position in the loader between iter() calls")


@pytest.mark.points(2)
def test_bad_batch_size_rejected(observe):
    """batch_size 0, negative, float (2.5 and 4.0) and bool is refused with ValueError."""
    for bad in (0, -1, -16, 2.5, 4.0, True, False):
        outcome = observe("dataloader_batching.construct", size=10, batch_size=bad)
        expect_raised(outcome, "ValueError",
                      f"DataLoader(batch_size={bad!r}) should raise ValueError (batch_size must be a positive "
                      "integer, not a bool or float); check DataLoader.__init__")


@pytest.mark.points(1)
def test_bad_batch_size_message(observe):
    """The batch_size ValueError says "positive integer" and shows the value given."""
    for bad in (-17, 2.5):
        outcome = observe("dataloader_batching.construct", size=10, batch_size=bad)
        info = expect_raised(outcome, "ValueError", f"DataLoader(batch_size={bad!r}) should raise ValueError")
        message = whole_message(info)
        expect("positive integer" in message and str(bad) in message,
               f"the ValueError for batch_size={bad!r} should contain \"positive integer\" and {bad!r}, got the "
               f"message {message_of(info)}; check DataLoader.__init__")


@pytest.mark.points(1)
def test_numpy_integer_batch_size(observe):
    """NumPy integers are valid batch sizes: np.int64(4) and np.int32(3) work like 4 and 3."""
    for batch_size, dtype, expected in ((4, "int64", [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]),
                                        (3, "int32", [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10, 11]])):
        label = f"np.{dtype}({batch_size})"
        seen = observe("dataloader_batching.numpy_batch_size", size=12, batch_size=batch_size, dtype=dtype)
        info = raised(seen)
        if info is not None:
            if is_error(info, "ValueError") or is_error(info, "TypeError"):
                raise CheckFailed(f"DataLoader(12 samples, batch_size={label}) should be accepted, but it raised "
                                  f"{info.get('type')}: {message_of(info)}; accept NumPy integers in "
                                  "DataLoader.__init__")
            raise CheckFailed(f"DataLoader(12 samples, batch_size={label}): {describe_raised(info)}")
        expect(seen["len"] == len(expected),
               f"len(DataLoader(12 samples, batch_size={label})) should be {len(expected)}, got {seen['len']}")
        got = seen["ids"]
        expect(got == expected, f"DataLoader(12 samples, batch_size={label}) should give {expected}, got {got}")
