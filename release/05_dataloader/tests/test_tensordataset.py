"""Public checks of the notebook test cell ``test_tensordataset`` (Part 2, TensorDataset).

These are a few of the tests that grade this cell; more hidden tests run at
grading time, so passing these does not guarantee full points."""

import numpy as np
import pytest

from .checks import array_of, expect, expect_raised, items_of, kind
from .probes.codec import DTYPES

pytestmark = pytest.mark.tensordataset


def _images(size, dtype=np.float32):
    """``size`` distinct 2x2 images: image i holds 4i .. 4i + 3."""
    return np.arange(size * 4, dtype=dtype).reshape(size, 2, 2)


def _labels(size):
    """``size`` distinct int64 labels 100, 101, ..."""
    return np.arange(100, 100 + size, dtype=np.int64)


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
def test_len_is_first_dimension(observe):
    """len(ds) is the size of axis 0 for one, two and three tensors."""
    cases = [
        ("one tensor of 7 samples", [["images", 7]]),
        ("two tensors of 5 samples", [["images", 5], ["labels", 5]]),
        ("three tensors of 1 sample", [["images", 1], ["labels", 1], ["zeros", [1, 3], "float64"]]),
    ]
    for description, inputs in cases:
        size = inputs[0][1]
        got = observe("tensordataset.length", inputs=inputs)
        expect(got == size, f"len(TensorDataset of {description}) should be {size}, got {got}; "
                            "check TensorDataset.__len__")


@pytest.mark.points(2)
def test_sample_values_pair_up(observe):
    """ds[i] equals (t[i] for t in tensors) for every i, with 1, 2 and 3 tensors."""
    size = 6
    arrays = (_images(size), _labels(size), np.linspace(0.0, 1.0, size * 3).reshape(size, 3))
    specs = (["images", size], ["labels", size], ["linspace", size])
    for count in (1, 2, 3):
        samples = observe("tensordataset.samples", inputs=list(specs[:count]), indices=list(range(size)))
        expect(len(samples) == size, f"the probe saw {len(samples)} samples instead of {size}")
        for index in range(size):
            elements = items_of(samples[index])
            for position in range(count):
                got = _as_array(elements[position]) if position < len(elements) else None
                expected = arrays[position][index]
                expect(got is not None and got.shape == expected.shape and np.array_equal(got, expected),
                       f"with {count} tensor(s), ds[{index}][{position}] should be tensors[{position}][{index}] = "
                       f"{expected.tolist()}, got "
                       f"{_listed(got) if position < len(elements) else 'no such element'}; "
                       "check TensorDataset.__getitem__")


@pytest.mark.points(2)
def test_mismatched_sizes_raise_value_error(observe):
    """Tensors whose first dimensions differ are refused with ValueError, whichever one differs."""
    cases = [
        ("5 images and 4 labels", [["images", 5], ["labels", 4]]),
        ("4 images and 5 labels", [["images", 4], ["labels", 5]]),
        ("tensors of 3, 3 and 2 samples", [["images", 3], ["labels", 3], ["zeros", [2], "float64"]]),
        ("a Tensor of 3 samples and a NumPy array of 6", [["images", 3], ["zeros_array", [6, 2], "float64"]]),
    ]
    for description, inputs in cases:
        outcome = observe("tensordataset.construct", inputs=inputs)
        expect_raised(outcome, "ValueError",
                      f"TensorDataset with {description} should raise ValueError; compare the first "
                      "dimension of every tensor in TensorDataset.__init__")
