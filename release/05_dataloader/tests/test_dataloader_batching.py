"""Public checks of the notebook test cell ``test_dataloader_batching`` (Part 3a, DataLoader batching).

These are a few of the tests that grade this cell; more hidden tests run at
grading time, so passing these does not guarantee full points.

The inputs (dataset sizes, batch sizes, sample ids and array contents) are
drawn from ``observe.draw``: your own run always draws the same ones, the
grader draws others."""

import numpy as np
import pytest

from .checks import CheckFailed, distinct_ids, expect
from .observe import describe_raised

pytestmark = pytest.mark.dataloader


def _describe(size, batch_size, drop_last=False):
    return f"DataLoader({size} samples, batch_size={batch_size}{', drop_last=True' if drop_last else ''})"


def _expected_sizes(size, batch_size, drop_last=False):
    full, rest = divmod(size, batch_size)
    return [batch_size] * full + ([rest] if rest and not drop_last else [])


def _expected_batches(ids, batch_size, drop_last=False):
    """The ids of each batch of one epoch without shuffling: consecutive runs of ``batch_size``."""
    sizes = _expected_sizes(len(ids), batch_size, drop_last)
    return [list(ids[start:start + count]) for start, count in zip(range(0, len(ids), batch_size), sizes)]


def _sizes_message(described, batch_size, expected, got, length=None, drop_last=False):
    """Why the batch sizes ``got`` are not ``expected``, blaming the method the evidence points at:
    ``__len__`` when ``len(loader)`` (``length``, if known) is wrong too, ``drop_last`` only when
    the one difference is the short last batch, else how ``__iter__`` cuts the batches."""
    message = f"{described} should give batches of sizes {expected}, got {got}"
    if length is not None and length != len(expected):
        return (f"{message}, and len(loader) is {length}, not {len(expected)}: check DataLoader.__len__ first "
                "(and how DataLoader.__iter__ counts its batches)")
    if not drop_last and expected and got == expected[:-1] and expected[-1] < batch_size:
        return f"{message}; keep the last, smaller batch in DataLoader.__iter__ (drop_last is False)"
    if drop_last and got and got[:-1] == expected and got[-1] < batch_size:
        return f"{message}; with drop_last=True skip the short last batch in DataLoader.__iter__"
    return f"{message}; check how DataLoader.__iter__ cuts the epoch into batches of batch_size indices"


def _raised_message(described, seen, expected_length):
    """The message for an epoch that raised (``seen`` from ``epoch_ids_and_len``): ``__len__`` first
    when ``len(loader)`` is wrong too (a loop over ``range(len(self))`` then asks for a batch that
    does not exist), else what was raised and where."""
    if seen.get("len") != expected_length:
        return (f"{described}: iterating it failed ({describe_raised(seen['raised'])}) and len(loader) is "
                f"{seen.get('len')}, not {expected_length}: check DataLoader.__len__ first (and how "
                "DataLoader.__iter__ counts its batches)")
    return f"{described}: iterating it failed, {describe_raised(seen['raised'])}"


def _ids(draw, size):
    """``size`` distinct drawn sample ids, below 2**24 so that they stay exact even in float32."""
    return distinct_ids(draw, size, high=2**24)


def _spec(array):
    """An array as a probe argument: ``{"values": nested list, "dtype": name}``."""
    return {"values": array.tolist(), "dtype": array.dtype.name}


def _dtype(described):
    """The dtype name of a described array ("?" when it has none)."""
    return str(described.get("dtype")) if type(described) is dict else "?"


def _floats(draw, shape, dtype=np.float32):
    """An array of ``shape`` filled with distinct drawn values (multiples of 1/8, exact in float32)."""
    count = int(np.prod(shape))
    return (np.array(draw.sample(range(-8000, 8000), count)) / 8).astype(dtype).reshape(shape)


def _with_remainder(draw, batch_size, remainder, batches=(1, 12)):
    """A dataset size that leaves ``remainder`` samples after a drawn number of full batches."""
    return batch_size * draw.randint(*batches) + remainder


def _length_cases(draw):
    """(size, batch_size) pairs around the edges of the batch count: a remainder of 1 and of
    batch_size - 1, a drawn remainder in a larger dataset, a multiple of batch_size, batch_size
    larger than size, equal to it and 1, and a single sample."""
    one, most, large, multiple = draw.randint(3, 9), draw.randint(2, 9), draw.randint(5, 16), draw.randint(2, 9)
    small, equal, many = draw.randint(2, 9), draw.randint(2, 100), draw.randint(2, 20)
    return [(_with_remainder(draw, one, 1), one),
            (_with_remainder(draw, most, most - 1), most),
            (_with_remainder(draw, large, draw.randint(1, large - 1), (5, 15)), large),
            (multiple * draw.randint(2, 12), multiple),
            (small, small + draw.randint(1, 10)),
            (equal, equal),
            (many, 1),
            (1, 1)]


@pytest.mark.points(2)
def test_len_is_ceiling(observe):
    """len(loader) is ceil(N / batch_size) without drop_last."""
    for size, batch_size in _length_cases(observe.draw):
        expected = -(-size // batch_size)
        got = observe("dataloader_batching.loader_len", size=size, batch_size=batch_size,
                      ids=_ids(observe.draw, size))
        expect(got == expected, f"len({_describe(size, batch_size)}) should be ceil({size}/{batch_size}) = "
                                f"{expected}, got {got}; check DataLoader.__len__")


@pytest.mark.points(2)
def test_batch_sizes_keep_last_partial_batch(observe, draw):
    """Without drop_last all batches are full except a smaller last one holding the remainder."""
    one, most, large, multiple = draw.randint(3, 8), draw.randint(2, 8), draw.randint(5, 12), draw.randint(2, 8)
    cases = [(_with_remainder(draw, one, 1, (1, 6)), one),  # a last batch of one sample
             (_with_remainder(draw, most, most - 1, (1, 6)), most),  # a last batch one short of full
             (_with_remainder(draw, large, draw.randint(1, large - 1), (5, 15)), large),
             (multiple * draw.randint(2, 6), multiple)]  # no partial batch at all
    for size, batch_size in cases:
        expected = _expected_sizes(size, batch_size)
        seen = observe("dataloader_batching.epoch_ids_and_len", size=size, batch_size=batch_size,
                       ids=_ids(draw, size))
        if "raised" in seen:
            raise CheckFailed(_raised_message(_describe(size, batch_size), seen, len(expected)))
        got = [len(ids) for ids in seen["ids"]]
        expect(got == expected, _sizes_message(_describe(size, batch_size), batch_size, expected, got, seen["len"]))


def _element(draw, name, size):
    """One element of ``size`` samples with drawn values: "float32 features", "int64 labels" or "uint8 pixels"."""
    if name == "float32 features":
        return _floats(draw, (size, draw.randint(2, 4)))
    if name == "int64 labels":
        return np.array(_ids(draw, size), dtype=np.int64).reshape(size, 1)
    return np.array([draw.randrange(256) for _ in range(size * 2)], dtype=np.uint8).reshape(size, 2)


@pytest.mark.points(2)
def test_collation_keeps_dtypes(observe, draw):
    """Collation keeps each element's dtype: float32 stays float32, int64 labels int64, uint8 uint8."""
    kinds = ["float32 features", "int64 labels", "uint8 pixels"]
    for _ in range(2):
        size = draw.randint(5, 9)
        batch_size = draw.randint(2, size - 1)
        # the elements of a sample: each kind at least once, in a drawn order
        names = kinds + [draw.choice(kinds) for _ in range(draw.randint(0, 2))]
        elements = [(name, _element(draw, name, size)) for name in draw.sample(names, len(names))]
        listed = ", ".join(name for name, _ in elements)
        batches = observe("dataloader_batching.epoch_batches", arrays=[_spec(array) for _, array in elements],
                          batch_size=batch_size)
        expect(len(batches) >= 1, f"{size} samples with batch_size={batch_size} should give "
                                  f"{-(-size // batch_size)} batches, got none; check DataLoader.__iter__")
        parts = batches[0]["arrays"]
        expect(len(parts) == len(elements), f"a batch of {len(elements)}-element samples ({listed}) should have "
                                            f"{len(elements)} elements, got {len(parts)}")
        for position, ((name, array), part) in enumerate(zip(elements, parts)):
            got = _dtype(part)
            expect(got == array.dtype.name,
                   f"the batch of {name} (element {position} of samples of {listed}) should keep dtype "
                   f"{array.dtype}, got {got}; do not force a dtype in DataLoader._collate_batch")
