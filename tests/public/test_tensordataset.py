"""Public checks of the notebook test cell ``test_tensordataset`` (Part 2, TensorDataset).

These are a few of the tests that grade this cell; more hidden tests run at
grading time, so passing these does not guarantee full points."""

import numpy as np
import pytest

from tinytorch.core.tensor import Tensor

from .support import as_array, expect, expect_raises

pytestmark = pytest.mark.tensordataset


def _images(size, dtype=np.float32):
    """``size`` distinct 2x2 images: image i holds 4i .. 4i + 3."""
    return np.arange(size * 4, dtype=dtype).reshape(size, 2, 2)


def _labels(size):
    """``size`` distinct int64 labels 100, 101, ..."""
    return np.arange(100, 100 + size, dtype=np.int64)


@pytest.mark.points(2)
def test_len_is_first_dimension(TensorDataset):
    """len(ds) is the size of axis 0 for one, two and three tensors."""
    cases = [
        ("one tensor of 7 samples", (Tensor(_images(7)),), 7),
        ("two tensors of 5 samples", (Tensor(_images(5)), Tensor(_labels(5))), 5),
        ("three tensors of 1 sample", (Tensor(_images(1)), Tensor(_labels(1)), Tensor(np.zeros((1, 3)))), 1),
    ]
    for description, tensors, size in cases:
        got = len(TensorDataset(*tensors))
        expect(got == size, f"len(TensorDataset of {description}) should be {size}, got {got}; "
                            "check TensorDataset.__len__")


@pytest.mark.points(2)
def test_sample_values_pair_up(TensorDataset):
    """ds[i] equals (t[i] for t in tensors) for every i, with 1, 2 and 3 tensors."""
    size = 6
    arrays = (_images(size), _labels(size), np.linspace(0.0, 1.0, size * 3).reshape(size, 3))
    for count in (1, 2, 3):
        ds = TensorDataset(*(Tensor(a) for a in arrays[:count]))
        for index in range(size):
            sample = ds[index]
            for position in range(count):
                got = as_array(sample[position])
                expected = arrays[position][index]
                expect(got.shape == expected.shape and np.array_equal(got, expected),
                       f"with {count} tensor(s), ds[{index}][{position}] should be tensors[{position}][{index}] = "
                       f"{expected.tolist()}, got {got.tolist()}; check TensorDataset.__getitem__")


@pytest.mark.points(2)
def test_mismatched_sizes_raise_value_error(TensorDataset):
    """Tensors whose first dimensions differ are refused with ValueError, whichever one differs."""
    cases = [
        ("5 images and 4 labels", (Tensor(_images(5)), Tensor(_labels(4)))),
        ("4 images and 5 labels", (Tensor(_images(4)), Tensor(_labels(5)))),
        ("tensors of 3, 3 and 2 samples", (Tensor(_images(3)), Tensor(_labels(3)), Tensor(np.zeros(2)))),
        ("a Tensor of 3 samples and a NumPy array of 6", (Tensor(_images(3)), np.zeros((6, 2)))),
    ]
    for description, tensors in cases:
        expect_raises(ValueError, lambda: TensorDataset(*tensors),
                      f"TensorDataset with {description} should raise ValueError; compare the first "
                      "dimension of every tensor in TensorDataset.__init__")
