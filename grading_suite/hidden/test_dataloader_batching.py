"""Part 3a, DataLoader batching (25 points): number of batches, the last partial
batch and drop_last, order without shuffling, collation (shapes, values, dtypes),
laziness, one epoch per iter(), and batch_size checks.

Datasets come from ``support.make_dataset``, never from the student's
TensorDataset.  Tests of batch boundaries read sample ids from a (N, 1) array,
so they do not depend on how collation stacks.

Every test draws its inputs from ``observe.draw`` (sizes, batch sizes, sample
ids, array contents, bad batch sizes), so no table of answers prepared for
known inputs can pass them.

The hidden cases of this cell; its public checks, shipped to students, are in
``public/test_dataloader_batching.py`` and count toward the same points."""

import numpy as np
import pytest

from grading_suite.public.checks import (CheckFailed, array_of, expect, expect_raised, is_error,
                                         items_of, kind, message_of, raised, whole_message)
from grading_suite.public.observe import describe_raised
from grading_suite.public.test_dataloader_batching import (_describe, _expected_batches, _expected_sizes, _floats,
                                                          _ids, _length_cases, _spec, _with_remainder)

pytestmark = pytest.mark.dataloader


def _shape(described):
    """The shape of a described array as a tuple (None when it has none)."""
    shape = described.get("shape") if type(described) is dict else None
    return tuple(shape) if type(shape) is list else None


@pytest.mark.points(1)
def test_len_with_drop_last_is_floor(observe):
    """len(loader) is floor(N / batch_size) with drop_last=True (0 when batch_size > N)."""
    for size, batch_size in _length_cases(observe.draw):
        expected = size // batch_size
        got = observe("dataloader_batching.loader_len", size=size, batch_size=batch_size, drop_last=True,
                      ids=_ids(observe.draw, size))
        expect(got == expected, f"len({_describe(size, batch_size, True)}) should be floor({size}/{batch_size}) "
                                f"= {expected}, got {got}; check drop_last in DataLoader.__len__")


@pytest.mark.points(2)
def test_drop_last_skips_partial_batch(observe):
    """With drop_last=True the short last batch is skipped and full batches are kept."""
    draw = observe.draw
    small, multiple, large, bigger = draw.randint(2, 6), draw.randint(2, 6), draw.randint(5, 12), draw.randint(2, 9)
    cases = [(_with_remainder(draw, small, draw.randint(1, small - 1), (1, 5)), small),
             (multiple * draw.randint(2, 6), multiple),  # nothing to drop
             (_with_remainder(draw, large, draw.randint(1, large - 1), (3, 10)), large),
             (bigger, bigger + draw.randint(1, 8))]  # the only batch is partial: no batch at all
    for size, batch_size in cases:
        expected = _expected_sizes(size, batch_size, drop_last=True)
        epoch = observe("dataloader_batching.epoch_ids", size=size, batch_size=batch_size, drop_last=True,
                        ids=_ids(draw, size))
        got = [len(ids) for ids in epoch]
        expect(got == expected, f"{_describe(size, batch_size, True)} should give batches of sizes {expected}, "
                                f"got {got}; respect drop_last in DataLoader.__iter__")


@pytest.mark.points(2)
def test_edge_batch_sizes(observe):
    """batch_size 1, equal to N and larger than N, and a single-sample dataset, batch correctly."""
    draw = observe.draw
    ones, equal, smaller = draw.randint(2, 9), draw.randint(2, 9), draw.randint(2, 9)
    cases = [(ones, 1), (equal, equal), (smaller, smaller + draw.randint(1, 6)), (1, 1), (1, draw.randint(2, 6))]
    for size, batch_size in cases:
        ids = _ids(draw, size)
        expected = _expected_batches(ids, batch_size)
        got = observe("dataloader_batching.epoch_ids", size=size, batch_size=batch_size, ids=ids)
        expect(got == expected, f"{_describe(size, batch_size)} over the sample ids {ids} should give the batches "
                                f"{expected}, got {got}; check DataLoader.__iter__")


@pytest.mark.points(2)
def test_order_preserved_without_shuffle(observe):
    """Without shuffle, batch k holds samples k*bs .. k*bs + bs - 1 in order."""
    draw = observe.draw
    for _ in range(2):
        batch_size = draw.randint(2, 5)
        size = batch_size * draw.randint(3, 5)
        ids = _ids(draw, size)
        expected = _expected_batches(ids, batch_size)
        got = observe("dataloader_batching.epoch_ids", size=size, batch_size=batch_size, ids=ids)
        expect(got == expected, f"{_describe(size, batch_size)} over the sample ids {ids} without shuffle should "
                                f"give the samples in order {expected}, got {got}; check DataLoader.__iter__")


@pytest.mark.points(2)
def test_collation_stacks_along_new_first_axis(observe):
    """Each batch element has shape (batch, *sample_shape) and stacks the samples in order."""
    draw = observe.draw
    batch_size = draw.randint(2, 4)
    size = _with_remainder(draw, batch_size, draw.randint(1, batch_size - 1), (2, 3))  # a last, partial batch
    height, width = draw.sample(range(2, 5), 2)  # never square: stacking on the wrong axis changes the shape
    images = _floats(draw, (size, height, width))
    labels = np.array(_ids(draw, size), dtype=np.int64)
    batches = observe("dataloader_batching.epoch_batches", arrays=[_spec(images), _spec(labels)],
                      batch_size=batch_size)
    expect(len(batches) >= 2, f"{size} samples with batch_size={batch_size} should give "
                              f"{-(-size // batch_size)} batches, got {len(batches)}; check DataLoader.__iter__")
    for number, batch in enumerate(batches):
        parts = batch["arrays"]
        expect(len(parts) == 2, f"a batch of (image, label) samples should have 2 elements, got {len(parts)}; "
                                "check DataLoader._collate_batch")
        rows = slice(number * batch_size, (number + 1) * batch_size)
        for name, part, source in (("images", parts[0], images), ("labels", parts[1], labels)):
            got = array_of(part)
            expected = source[rows]
            expect(_shape(part) == expected.shape,
                   f"batch {number} of {height}x{width} images and scalar labels (batch_size={batch_size}, "
                   f"{size} samples): {name} should have shape {expected.shape}, got {_shape(part)}; stack along "
                   "a new axis 0 (np.stack) in DataLoader._collate_batch")
            expect(got is not None and np.array_equal(got, expected),
                   f"batch {number}: {name} should be samples {rows.start}..{min(rows.stop, size) - 1} stacked "
                   f"in order, got {got.tolist() if got is not None else 'an array of dtype ' + str(part.get('dtype'))}"
                   "; check DataLoader._collate_batch")


@pytest.mark.points(1)
def test_batch_elements_are_tensors(observe):
    """A batch is a tuple (or list) with one Tensor per sample element."""
    draw = observe.draw
    for _ in range(2):
        batch_size = draw.randint(2, 3)
        size = _with_remainder(draw, batch_size, draw.randint(1, batch_size - 1), (2, 3))
        count = draw.randint(2, 9)  # elements per sample: features ..., then a label
        arrays = [_floats(draw, (size, draw.randint(1, 4))) for _ in range(count - 1)]
        arrays.append(np.array(_ids(draw, size), dtype=np.int64).reshape(size, 1))
        batches = observe("dataloader_batching.epoch_batches", arrays=[_spec(a) for a in arrays], batch_size=batch_size)
        expect(len(batches) >= 2, f"{size} samples with batch_size={batch_size} should give "
                                  f"{-(-size // batch_size)} batches, got {len(batches)}; check DataLoader.__iter__")
        for seen in batches:
            batch = seen["batch"]
            is_sequence = kind(batch) in ("tuple", "list")
            items = items_of(batch)
            expect(is_sequence and len(items) == count,
                   f"a batch of samples with {count} elements ({count - 1} features, label) should be a tuple of "
                   f"{count} Tensors, got {batch.get('type')}{'' if not is_sequence else f' of {len(items)}'}; "
                   "check DataLoader._collate_batch")
            kinds = [part.get("type") for part in items]
            expect(all(kind(part) == "Tensor" for part in items),
                   f"each element of a batch should be a Tensor, got {kinds}; wrap the stacked arrays in Tensor "
                   "in DataLoader._collate_batch")


@pytest.mark.points(1)
def test_single_tensor_samples_give_a_tensor(observe):
    """A dataset whose samples are single Tensors (not tuples) gives batches that are single Tensors."""
    draw = observe.draw
    batch_size, count = draw.randint(2, 3), draw.randint(2, 4)
    size = batch_size * count
    vectors = _floats(draw, (size, draw.randint(2, 4)))
    batches = observe("dataloader_batching.single_tensor_epoch", arrays=[_spec(vectors)], batch_size=batch_size)
    expect(len(batches) == count, f"{size} single-Tensor samples with batch_size={batch_size} should give {count} "
                                  f"batches, got {len(batches)}")
    for number, seen in enumerate(batches):
        batch = seen["batch"]
        expect(kind(batch) == "Tensor",
               f"when samples are single Tensors each batch should be a single Tensor, got "
               f"{batch.get('type')}; handle non-tuple samples in DataLoader._collate_batch")
        got = array_of(batch)
        expected = vectors[number * batch_size:(number + 1) * batch_size]
        expect(got is not None and np.array_equal(np.sort(got, axis=None), np.sort(expected, axis=None)),
               f"batch {number} should hold samples {number * batch_size}..{(number + 1) * batch_size - 1} "
               f"({expected.tolist()}), "
               f"got {got.tolist() if got is not None else 'data of dtype ' + str(batch.get('dtype'))}")


@pytest.mark.points(2)
def test_loads_lazily_one_batch_at_a_time(observe):
    """Taking a batch fetches exactly that batch's samples: nothing is loaded ahead."""
    draw = observe.draw
    for _ in range(2):
        batch_size = draw.randint(2, 20)
        size = draw.randint(4 * batch_size + 1, 100)  # more than the 3 batches taken
        seen = observe("dataloader_batching.lazy_fetches", size=size, batch_size=batch_size,
                       ids=_ids(draw, size))
        first = seen["after_one"]
        expect(first["count"] == batch_size and first["fetched"] == list(range(batch_size)),
               f"taking the first batch of {_describe(size, batch_size)} should fetch samples 0..{batch_size - 1} "
               f"only, but {first['count']} fetches were made (first ones: {first['fetched'][:10]}); make "
               "DataLoader.__iter__ a generator that loads one batch per step")
        third = seen["after_three"]
        expect(third["count"] == 3 * batch_size and third["fetched"] == list(range(3 * batch_size)),
               f"after 3 batches of {batch_size} exactly samples 0..{3 * batch_size - 1} should have been fetched, "
               f"got {third['count']} fetches; load each batch only when it is requested in DataLoader.__iter__")


@pytest.mark.points(2)
def test_each_iter_is_a_full_epoch(observe):
    """Iterating the loader again gives a complete new epoch, also after a partial one."""
    draw = observe.draw
    batch_size = draw.randint(2, 4)
    size = batch_size * draw.randint(3, 4)
    ids = _ids(draw, size)
    seen = observe("dataloader_batching.repeated_epochs", size=size, batch_size=batch_size, ids=ids)
    expected = _expected_batches(ids, batch_size)
    first, second, third = seen["first"], seen["second"], seen["third"]
    expect(first == expected and second == expected,
           f"two epochs of {_describe(size, batch_size)} should each give {expected}, got {first} then {second}; "
           "each iter(loader) should start a new epoch in DataLoader.__iter__")
    expect(third == expected, f"a new epoch after a half-used one should give {expected}, got {third}; "
                              "do not keep the position in the loader between iter() calls")


def _fraction(draw, low=1, high=9):
    """A drawn float that is not an integer, with a short exact repr (e.g. 3.25)."""
    return draw.randint(low, high) + draw.choice([0.25, 0.5, 0.75])


@pytest.mark.points(2)
def test_bad_batch_size_rejected(observe):
    """batch_size 0, negative, float (2.5 and 4.0) and bool is refused with ValueError."""
    draw = observe.draw
    size = draw.randint(6, 20)
    ids = _ids(draw, size)
    bad = [0, -1, -draw.randint(2, 64), _fraction(draw), float(draw.randint(1, 16)), True, False]
    fine = draw.sample(range(2, size), 3)  # positive integers among them, in drawn places: they are accepted
    cases = [(value, False) for value in bad] + [(value, True) for value in fine]
    cases = draw.sample(cases, len(cases))
    for value, accepted in cases:
        outcome = observe("dataloader_batching.construct", size=size, batch_size=value, ids=ids)
        if accepted:
            info = raised(outcome)
            expect(info is None, f"DataLoader({size} samples, batch_size={value}) should be accepted (a positive "
                                 f"integer), but {describe_raised(info) if info else ''}; check DataLoader.__init__")
        else:
            expect_raised(outcome, "ValueError",
                          f"DataLoader(batch_size={value!r}) should raise ValueError (batch_size must be a positive "
                          "integer, not a bool or float); check DataLoader.__init__")


@pytest.mark.points(1)
def test_bad_batch_size_message(observe):
    """The batch_size ValueError says "positive integer" and shows the value given."""
    draw = observe.draw
    size = draw.randint(6, 20)
    ids = _ids(draw, size)
    for bad in draw.sample([-draw.randint(10, 99), _fraction(draw)], 2):
        outcome = observe("dataloader_batching.construct", size=size, batch_size=bad, ids=ids)
        info = expect_raised(outcome, "ValueError", f"DataLoader(batch_size={bad!r}) should raise ValueError")
        message = whole_message(info)
        expect("positive integer" in message and str(bad) in message,
               f"the ValueError for batch_size={bad!r} should contain \"positive integer\" and {bad!r}, got the "
               f"message {message_of(info)}; check DataLoader.__init__")


@pytest.mark.points(1)
def test_numpy_integer_batch_size(observe):
    """NumPy integers are valid batch sizes: np.int64(4) and np.int32(3) work like 4 and 3."""
    draw = observe.draw
    for dtype in ("int64", "int32"):
        batch_size = draw.randint(2, 5)
        size = batch_size * draw.randint(2, 4)
        ids = _ids(draw, size)
        expected = _expected_batches(ids, batch_size)
        label = f"np.{dtype}({batch_size})"
        seen = observe("dataloader_batching.numpy_batch_size", size=size, batch_size=batch_size, dtype=dtype,
                       ids=ids)
        info = raised(seen)
        if info is not None:
            if is_error(info, "ValueError") or is_error(info, "TypeError"):
                raise CheckFailed(f"DataLoader({size} samples, batch_size={label}) should be accepted, but it "
                                  f"raised {info.get('type')}: {message_of(info)}; accept NumPy integers in "
                                  "DataLoader.__init__")
            raise CheckFailed(f"DataLoader({size} samples, batch_size={label}): {describe_raised(info)}")
        expect(seen["len"] == len(expected),
               f"len(DataLoader({size} samples, batch_size={label})) should be {len(expected)}, got {seen['len']}")
        got = seen["ids"]
        expect(got == expected, f"DataLoader({size} samples, batch_size={label}) over the sample ids {ids} should "
                                f"give {expected}, got {got}")
