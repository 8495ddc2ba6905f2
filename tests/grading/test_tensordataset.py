"""Part 2, TensorDataset (20 points): length, tuple samples, dtypes, list-like
indexing, clear errors for bad indices and mismatched sizes, no copies.

The hidden cases of this cell; its public checks, shipped to students, are in
``tests/public/test_tensordataset.py`` and count toward the same points."""

import numpy as np
import pytest

from tests.public.support import CheckFailed, as_array, expect, expect_raises, names_number, peak_bytes
from tests.public.test_tensordataset import _images, _labels
from tinytorch.core.tensor import Tensor

pytestmark = pytest.mark.tensordataset


def _expect_message_names(error, numbers, expectation, advice):
    """Fail unless the message of ``error`` names each of ``numbers`` as a whole number;
    the failure says ``expectation``, quotes the message, then gives ``advice``."""
    message = str(error)
    expect(all(names_number(message, number) for number in numbers),
           f"{expectation}, got the message {message!r}; {advice}")


@pytest.mark.points(2)
def test_sample_is_tuple_of_tensors(TensorDataset):
    """ds[i] is a tuple with one Tensor per stored tensor (1, 2 and 3 tensors, and NumPy arrays)."""
    stored = (Tensor(_images(4)), Tensor(_labels(4)), Tensor(np.zeros((4, 3), dtype=np.float32)))
    cases = [(f"{count} tensor(s)", stored[:count]) for count in (1, 2, 3)]
    cases.append(("a NumPy array and a Tensor", (_images(4), stored[1])))
    for description, tensors in cases:
        sample = TensorDataset(*tensors)[1]
        expect(isinstance(sample, tuple),
               f"with {description}, ds[1] should be a tuple, got {type(sample).__name__}; "
               "check TensorDataset.__getitem__")
        expect(len(sample) == len(tensors),
               f"with {description}, ds[1] should have {len(tensors)} element(s), got {len(sample)}; "
               "check TensorDataset.__getitem__")
        kinds = [type(element).__name__ for element in sample]
        expect(all(isinstance(element, Tensor) for element in sample),
               f"with {description}, every element of ds[1] should be a Tensor, got {kinds}; "
               "wrap NumPy arrays in Tensor in TensorDataset.__init__ and return Tensors from __getitem__")


@pytest.mark.points(2)
def test_dtypes_kept(TensorDataset):
    """Samples keep each tensor's dtype: float32 images, int64 labels, a uint8 NumPy array."""
    pixels = np.arange(5 * 3, dtype=np.uint8).reshape(5, 3)
    ds = TensorDataset(Tensor(_images(5)), Tensor(_labels(5)), pixels)
    image, label, raw = ds[3]
    for name, element, dtype in (("float32 image", image, np.float32), ("int64 label", label, np.int64),
                                 ("uint8 array", raw, np.uint8)):
        got = as_array(element).dtype
        expect(got == dtype, f"the {name} of ds[3] should keep dtype {np.dtype(dtype)}, got {got}; "
                             "do not convert dtypes in TensorDataset")
    expect(np.array_equal(as_array(raw), pixels[3]),
           f"ds[3] of the uint8 array should be {pixels[3].tolist()}, got {as_array(raw).tolist()}")


@pytest.mark.points(2)
def test_negative_indices(TensorDataset):
    """ds[-k] is sample len - k, as for a Python list (ds[-1] last, ds[-len] first)."""
    size = 7
    images, labels = _images(size), _labels(size)
    ds = TensorDataset(Tensor(images), Tensor(labels))
    for k in range(1, size + 1):
        try:
            got_image, got_label = ds[-k]
        except IndexError as error:
            raise CheckFailed(f"ds[{-k}] on {size} samples should be sample {size - k}, but it raised "
                              f"{type(error).__name__}: {error}; negative indices count from the end "
                              "in TensorDataset.__getitem__") from None
        expect(np.array_equal(as_array(got_label), labels[size - k])
               and np.array_equal(as_array(got_image), images[size - k]),
               f"ds[{-k}] on {size} samples should be sample {size - k} (label {labels[size - k]}), "
               f"got label {as_array(got_label).tolist()}; a negative index i means i + len in "
               "TensorDataset.__getitem__")


@pytest.mark.points(2)
def test_out_of_range_raises_index_error(TensorDataset):
    """ds[i] raises IndexError for i >= len and for i < -len."""
    size = 7
    ds = TensorDataset(Tensor(_images(size)), Tensor(_labels(size)))
    for index in (size, size + 1, 100, -size - 1, -size - 2, -100):
        expect_raises(IndexError, lambda: ds[index],
                      f"ds[{index}] on {size} samples should raise IndexError (valid indices are "
                      f"{-size} .. {size - 1}); check the range in TensorDataset.__getitem__")


@pytest.mark.points(1)
def test_index_error_names_index_and_size(TensorDataset):
    """The IndexError message names the index asked for and the dataset size."""
    ds = TensorDataset(Tensor(_images(37)), Tensor(_labels(37)))
    error = expect_raises(IndexError, lambda: ds[41],
                          "ds[41] on 37 samples should raise IndexError")
    _expect_message_names(error, (41, 37),
                          "the IndexError for ds[41] on 37 samples should name the index 41 and the size 37",
                          "check TensorDataset.__getitem__")


@pytest.mark.points(1)
def test_mismatch_message_names_shapes(TensorDataset):
    """The mismatch ValueError message names each tensor's first dimension."""
    error = expect_raises(ValueError, lambda: TensorDataset(Tensor(np.zeros((23, 3))), Tensor(_labels(19))),
                          "TensorDataset with 23 images and 19 labels should raise ValueError")
    _expect_message_names(error, (23, 19),
                          "the ValueError for shapes (23, 3) and (19,) should name both sizes 23 and 19",
                          "list the shapes in TensorDataset.__init__")


@pytest.mark.points(1)
def test_no_tensors_raises_value_error(TensorDataset):
    """TensorDataset() with no tensors raises ValueError."""
    expect_raises(ValueError, lambda: TensorDataset(),
                  "TensorDataset() with no tensors should raise ValueError; check TensorDataset.__init__")


@pytest.mark.points(1)
def test_zero_dimensional_tensor_raises_value_error(TensorDataset):
    """A 0-dimensional tensor (no axis 0) is refused with ValueError."""
    expect_raises(ValueError, lambda: TensorDataset(Tensor(np.float32(1.5))),
                  "TensorDataset of a 0-dimensional tensor should raise ValueError; check TensorDataset.__init__")
    expect_raises(ValueError, lambda: TensorDataset(Tensor(_labels(3)), Tensor(np.int64(2))),
                  "TensorDataset of a 3-sample tensor and a 0-dimensional tensor should raise ValueError; "
                  "check TensorDataset.__init__")


@pytest.mark.points(1)
def test_numpy_integer_index(TensorDataset):
    """NumPy integers work as indices: ds[np.int64(2)] is sample 2, ds[np.int32(4)] sample 4."""
    images, labels = _images(5), _labels(5)
    ds = TensorDataset(Tensor(images), Tensor(labels))
    for index, expected in ((np.int64(2), 2), (np.int32(4), 4), (np.int64(0), 0)):
        try:
            _, label = ds[index]
        except (IndexError, TypeError, ValueError) as error:
            raise CheckFailed(f"ds[np.{type(index).__name__}({index})] should be sample {expected}, but it "
                              f"raised {type(error).__name__}: {error}; accept NumPy integers in "
                              "TensorDataset.__getitem__") from None
        expect(np.array_equal(as_array(label), labels[expected]),
               f"ds[np.{type(index).__name__}({index})] should be sample {expected} (label {labels[expected]}), "
               f"got label {as_array(label).tolist()}")


@pytest.mark.points(1)
def test_does_not_copy_the_data(TensorDataset):
    """Building the dataset and fetching samples copy nothing of a 2 MB array and leave it unchanged."""
    images = np.zeros((512, 1024), dtype=np.float32)  # 2 MB
    labels = np.arange(512, dtype=np.int64)
    built = []
    peak = peak_bytes(lambda: built.append(TensorDataset(Tensor(images), labels)))
    expect(peak < 256 * 1024,
           f"TensorDataset over a 2 MB array should keep a reference, not a copy, but building it allocated "
           f"{peak / 1e6:.1f} MB; do not copy tensors in TensorDataset.__init__")
    ds = built[0]
    peak = peak_bytes(lambda: (ds[7], ds[511]))
    expect(peak < 256 * 1024,
           f"fetching one 4 KB sample of a 2 MB dataset allocated {peak / 1e6:.1f} MB; index the stored "
           "array (t.data[index]) instead of copying it in TensorDataset.__getitem__")
    expect(not images.any() and np.array_equal(labels, np.arange(512)),
           "the arrays given to TensorDataset should not change when samples are fetched")
