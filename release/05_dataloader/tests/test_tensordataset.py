"""Public checks of the notebook test cell ``test_tensordataset`` (Part 2, TensorDataset).

These are a few of the tests that grade this cell; more hidden tests run at
grading time, so passing these does not guarantee full points.

The inputs (sizes, tensor contents, indices) are drawn from ``observe.draw``:
your own run always draws the same ones, the grader draws others."""

import numpy as np
import pytest

from .checks import array_of, distinct_ids, expect, expect_raised, items_of, kind
from .probes.codec import DTYPES

pytestmark = pytest.mark.tensordataset


def _spec(array, numpy=False):
    """How the probe builds one argument of TensorDataset: a Tensor of ``array``,
    or with ``numpy=True`` the NumPy array itself."""
    spec = {"values": array.tolist(), "dtype": array.dtype.name}
    return {**spec, "numpy": True} if numpy else spec


def _images(draw, size, dtype=np.float32):
    """``size`` distinct 2x2 images of drawn values (multiples of 1/8, exact in float32)."""
    return (np.array(draw.sample(range(-8000, 8000), size * 4)) / 8).astype(dtype).reshape(size, 2, 2)


def _labels(draw, size):
    """``size`` distinct drawn int64 labels."""
    return np.array(distinct_ids(draw, size), dtype=np.int64)


def _floats(draw, shape, dtype=np.float64):
    """An array of ``shape`` filled with drawn floats in [-1, 1)."""
    count = int(np.prod(shape))
    return np.array([draw.uniform(-1.0, 1.0) for _ in range(count)], dtype=dtype).reshape(shape)


def _as_array(description):
    """The NumPy data of a described Tensor, ndarray, scalar or list/tuple of them, else None."""
    array = array_of(description)
    if array is not None:
        return array
    try:
        if kind(description) == "scalar":
            name = description.get("type")
            return np.asarray(description.get("value"), dtype=np.dtype(name) if name in DTYPES else None)
        if kind(description) in ("tuple", "list"):
            parts = [_as_array(item) for item in items_of(description)]
            if all(part is not None for part in parts):
                return np.asarray(parts)
    except (TypeError, ValueError):
        pass
    return None


def _listed(array):
    """``array.tolist()``, or a short note when the value was no array."""
    return array.tolist() if array is not None else "a value that is not an array"


@pytest.mark.points(2)
def test_len_is_first_dimension(observe, draw):
    """len(ds) is the size of axis 0 for one, two and three tensors."""
    one, two = draw.randint(2, 12), draw.randint(2, 12)
    cases = [
        (f"one tensor of {one} samples", one, [_images(draw, one)]),
        (f"two tensors of {two} samples", two, [_images(draw, two), _labels(draw, two)]),
        ("three tensors of 1 sample", 1, [_images(draw, 1), _labels(draw, 1), _floats(draw, (1, 3))]),
    ]
    for description, size, arrays in cases:
        got = observe("tensordataset.length", inputs=[_spec(array) for array in arrays])
        expect(got == size, f"len(TensorDataset of {description}) should be {size}, got {got}; "
                            "check TensorDataset.__len__")


@pytest.mark.points(2)
def test_sample_values_pair_up(observe, draw):
    """ds[i] equals (t[i] for t in tensors) for every i, with 1, 2 and 3 tensors."""
    size = draw.randint(3, 8)
    arrays = (_images(draw, size), _labels(draw, size), _floats(draw, (size, 3)))
    for count in (1, 2, 3):
        order = draw.sample(range(size), size)  # every index, in a drawn order
        samples = observe("tensordataset.samples", inputs=[_spec(array) for array in arrays[:count]],
                          indices=order)
        expect(len(samples) == size, f"the probe saw {len(samples)} samples instead of {size}")
        for index, sample in zip(order, samples):
            elements = items_of(sample)
            for position in range(count):
                got = _as_array(elements[position]) if position < len(elements) else None
                expected = arrays[position][index]
                expect(got is not None and got.shape == expected.shape and np.array_equal(got, expected),
                       f"with {count} tensor(s), ds[{index}][{position}] should be tensors[{position}][{index}] = "
                       f"{expected.tolist()}, got "
                       f"{_listed(got) if position < len(elements) else 'no such element'}; "
                       "check TensorDataset.__getitem__")


@pytest.mark.points(2)
def test_mismatched_sizes_raise_value_error(observe, draw):
    """Tensors whose first dimensions differ are refused with ValueError, whichever one differs
    (first, last or one in the middle; and tensors whose first dimensions agree are accepted)."""
    more = draw.randint(3, 9)
    fewer = more - draw.randint(1, 2)  # the first tensor has more samples ...
    small = draw.randint(2, 8)
    large = small + draw.randint(1, 2)  # ... or fewer
    same = draw.randint(2, 8)
    other = draw.choice([n for n in range(1, 10) if n != same])  # the third tensor differs
    rows = draw.choice([n for n in range(1, 10) if n != same])
    cases = [
        (f"{more} images and {fewer} labels", [_spec(_images(draw, more)), _spec(_labels(draw, fewer))]),
        (f"{small} images and {large} labels", [_spec(_images(draw, small)), _spec(_labels(draw, large))]),
        (f"tensors of {same}, {same} and {other} samples",
         [_spec(_images(draw, same)), _spec(_labels(draw, same)), _spec(_floats(draw, (other,)))]),
        (f"tensors of {same}, {other} and {same} samples",
         [_spec(_images(draw, same)), _spec(_floats(draw, (other,))), _spec(_labels(draw, same))]),
        (f"a Tensor of {same} samples and a NumPy array of {rows}",
         [_spec(_images(draw, same)), _spec(_floats(draw, (rows, 2)), numpy=True)]),
    ]
    for description, inputs in cases:
        outcome = observe("tensordataset.construct", inputs=inputs)
        expect_raised(outcome, "ValueError",
                      f"TensorDataset with {description} should raise ValueError; compare the first "
                      "dimension of every tensor in TensorDataset.__init__")
    size = draw.randint(2, 9)
    got = observe("tensordataset.length", inputs=[_spec(_images(draw, size)), _spec(_labels(draw, size))])
    expect(got == size, f"TensorDataset of {size} images and {size} labels should be accepted, with length {size}, "
                        f"got {got}; raise only when the first dimensions differ")
