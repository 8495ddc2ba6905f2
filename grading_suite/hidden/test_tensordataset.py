"""Part 2, TensorDataset (20 points): length, tuple samples, dtypes, list-like
indexing, clear errors for bad indices and mismatched sizes, no copies.

The hidden cases of this cell; its public checks, shipped to students, are in
``public/test_tensordataset.py`` and count toward the same points."""

import numpy as np
import pytest

from grading_suite.public.checks import (array_of, expect, expect_raised, is_error, items_of, kind, message_of,
                                         names_number, raised, returned, whole_message)
from grading_suite.public.observe import describe_raised
from grading_suite.public.test_tensordataset import _as_array, _images, _labels, _listed

pytestmark = pytest.mark.tensordataset


def _expect_message_names(info, numbers, expectation, advice):
    """Fail unless the message of the exception ``info`` names each of ``numbers`` as a whole
    number; the failure says ``expectation``, quotes the message, then gives ``advice``."""
    message = whole_message(info)
    expect(all(names_number(message, number) for number in numbers),
           f"{expectation}, got the message {message_of(info)}; {advice}")


def _dtype_of(description):
    """The dtype of a described element, as NumPy would report it for ``as_array(element)``."""
    if kind(description) in ("Tensor", "ndarray"):
        return str(description.get("dtype"))
    array = _as_array(description)
    return str(array.dtype) if array is not None else f"no dtype (a {description.get('type', 'value')})"


@pytest.mark.points(2)
def test_sample_is_tuple_of_tensors(observe):
    """ds[i] is a tuple with one Tensor per stored tensor (1, 2 and 3 tensors, and NumPy arrays)."""
    stored = (["images", 4], ["labels", 4], ["zeros", [4, 3], "float32"])
    cases = [(f"{count} tensor(s)", list(stored[:count])) for count in (1, 2, 3)]
    cases.append(("a NumPy array and a Tensor", [["images_array", 4], stored[1]]))
    for description, inputs in cases:
        sample, = observe("tensordataset.samples", inputs=inputs, indices=[1])
        expect(kind(sample) == "tuple",
               f"with {description}, ds[1] should be a tuple, got {sample.get('type')}; "
               "check TensorDataset.__getitem__")
        elements = items_of(sample)
        expect(len(elements) == len(inputs),
               f"with {description}, ds[1] should have {len(inputs)} element(s), got {len(elements)}; "
               "check TensorDataset.__getitem__")
        kinds = [element.get("type") for element in elements]
        expect(all(kind(element) == "Tensor" for element in elements),
               f"with {description}, every element of ds[1] should be a Tensor, got {kinds}; "
               "wrap NumPy arrays in Tensor in TensorDataset.__init__ and return Tensors from __getitem__")


@pytest.mark.points(2)
def test_dtypes_kept(observe):
    """Samples keep each tensor's dtype: float32 images, int64 labels, a uint8 NumPy array."""
    pixels = np.arange(5 * 3, dtype=np.uint8).reshape(5, 3)
    sample, = observe("tensordataset.samples", inputs=[["images", 5], ["labels", 5], ["pixels_array", 5]],
                      indices=[3])
    elements = items_of(sample)
    expect(len(elements) == 3, f"ds[3] of three tensors should have 3 elements, got {len(elements)}")
    image, label, raw = elements
    for name, element, dtype in (("float32 image", image, np.float32), ("int64 label", label, np.int64),
                                 ("uint8 array", raw, np.uint8)):
        got = _dtype_of(element)
        expect(got == str(np.dtype(dtype)), f"the {name} of ds[3] should keep dtype {np.dtype(dtype)}, got {got}; "
                                            "do not convert dtypes in TensorDataset")
    got_raw = _as_array(raw)
    expect(got_raw is not None and np.array_equal(got_raw, pixels[3]),
           f"ds[3] of the uint8 array should be {pixels[3].tolist()}, got {_listed(got_raw)}")


@pytest.mark.points(2)
def test_negative_indices(observe):
    """ds[-k] is sample len - k, as for a Python list (ds[-1] last, ds[-len] first)."""
    size = 7
    images, labels = _images(size), _labels(size)
    outcomes = observe("tensordataset.index_attempts", inputs=[["images", size], ["labels", size]],
                       indices=[-k for k in range(1, size + 1)])
    expect(len(outcomes) == size, f"the probe saw {len(outcomes)} indices instead of {size}")
    for k, outcome in zip(range(1, size + 1), outcomes):
        info = raised(outcome)
        if is_error(info, "IndexError"):
            expect(False, f"ds[{-k}] on {size} samples should be sample {size - k}, but it raised "
                          f"{info.get('type')}: {message_of(info)}; negative indices count from the end "
                          "in TensorDataset.__getitem__")
        expect(info is None, describe_raised(info) if info is not None else "")
        elements = items_of(returned(outcome))
        expect(len(elements) == 2, f"ds[{-k}] of images and labels should be 2 elements, got {len(elements)}")
        got_image, got_label = (_as_array(element) for element in elements)
        expect(got_label is not None and np.array_equal(got_label, labels[size - k])
               and got_image is not None and np.array_equal(got_image, images[size - k]),
               f"ds[{-k}] on {size} samples should be sample {size - k} (label {labels[size - k]}), "
               f"got label {_listed(got_label)}; a negative index i means i + len in "
               "TensorDataset.__getitem__")


@pytest.mark.points(2)
def test_out_of_range_raises_index_error(observe):
    """ds[i] raises IndexError for i >= len and for i < -len."""
    size = 7
    indices = [size, size + 1, 100, -size - 1, -size - 2, -100]
    outcomes = observe("tensordataset.index_attempts", inputs=[["images", size], ["labels", size]],
                       indices=indices)
    expect(len(outcomes) == len(indices), f"the probe saw {len(outcomes)} indices instead of {len(indices)}")
    for index, outcome in zip(indices, outcomes):
        expect_raised(outcome, "IndexError",
                      f"ds[{index}] on {size} samples should raise IndexError (valid indices are "
                      f"{-size} .. {size - 1}); check the range in TensorDataset.__getitem__")


@pytest.mark.points(1)
def test_index_error_names_index_and_size(observe):
    """The IndexError message names the index asked for and the dataset size."""
    outcome, = observe("tensordataset.index_attempts", inputs=[["images", 37], ["labels", 37]], indices=[41])
    info = expect_raised(outcome, "IndexError", "ds[41] on 37 samples should raise IndexError")
    _expect_message_names(info, (41, 37),
                          "the IndexError for ds[41] on 37 samples should name the index 41 and the size 37",
                          "check TensorDataset.__getitem__")


@pytest.mark.points(1)
def test_mismatch_message_names_shapes(observe):
    """The mismatch ValueError message names each tensor's first dimension."""
    outcome = observe("tensordataset.construct", inputs=[["zeros", [23, 3], "float64"], ["labels", 19]])
    info = expect_raised(outcome, "ValueError", "TensorDataset with 23 images and 19 labels should raise ValueError")
    _expect_message_names(info, (23, 19),
                          "the ValueError for shapes (23, 3) and (19,) should name both sizes 23 and 19",
                          "list the shapes in TensorDataset.__init__")


@pytest.mark.points(1)
def test_no_tensors_raises_value_error(observe):
    """TensorDataset() with no tensors raises ValueError."""
    expect_raised(observe("tensordataset.construct", inputs=[]), "ValueError",
                  "TensorDataset() with no tensors should raise ValueError; check TensorDataset.__init__")


@pytest.mark.points(1)
def test_zero_dimensional_tensor_raises_value_error(observe):
    """A 0-dimensional tensor (no axis 0) is refused with ValueError."""
    expect_raised(observe("tensordataset.construct", inputs=[["scalar", 1.5, "float32"]]), "ValueError",
                  "TensorDataset of a 0-dimensional tensor should raise ValueError; check TensorDataset.__init__")
    expect_raised(observe("tensordataset.construct", inputs=[["labels", 3], ["scalar", 2, "int64"]]), "ValueError",
                  "TensorDataset of a 3-sample tensor and a 0-dimensional tensor should raise ValueError; "
                  "check TensorDataset.__init__")


@pytest.mark.points(1)
def test_numpy_integer_index(observe):
    """NumPy integers work as indices: ds[np.int64(2)] is sample 2, ds[np.int32(4)] sample 4."""
    labels = _labels(5)
    cases = [("int64", 2), ("int32", 4), ("int64", 0)]
    outcomes = observe("tensordataset.index_attempts", inputs=[["images", 5], ["labels", 5]],
                       indices=[[dtype, value] for dtype, value in cases])
    expect(len(outcomes) == len(cases), f"the probe saw {len(outcomes)} indices instead of {len(cases)}")
    for (dtype, expected), outcome in zip(cases, outcomes):
        info = raised(outcome)
        if any(is_error(info, name) for name in ("IndexError", "TypeError", "ValueError")):
            expect(False, f"ds[np.{dtype}({expected})] should be sample {expected}, but it "
                          f"raised {info.get('type')}: {message_of(info)}; accept NumPy integers in "
                          "TensorDataset.__getitem__")
        expect(info is None, describe_raised(info) if info is not None else "")
        elements = items_of(returned(outcome))
        expect(len(elements) == 2, f"ds[np.{dtype}({expected})] of images and labels should be 2 elements, "
                                   f"got {len(elements)}")
        label = _as_array(elements[1])
        expect(label is not None and np.array_equal(label, labels[expected]),
               f"ds[np.{dtype}({expected})] should be sample {expected} (label {labels[expected]}), "
               f"got label {_listed(label)}")


@pytest.mark.points(1)
def test_does_not_copy_the_data(observe):
    """Building the dataset and fetching samples copy nothing of a 2 MB array and leave it unchanged."""
    seen = observe("tensordataset.copies")
    last = items_of(seen["samples"][1]) if len(seen["samples"]) == 2 else []
    label = array_of(last[1]) if len(last) == 2 else None
    expect(label is not None and label.shape == () and int(label) == 511,
           "ds[511] of TensorDataset(images, labels 0..511) should hold the label 511, got something else; memory "
           "counts only for a dataset that returns its samples (TensorDataset.__getitem__)")
    peak = seen["build_peak"]
    expect(peak < 256 * 1024,
           f"TensorDataset over a 2 MB array should keep a reference, not a copy, but building it allocated "
           f"{peak / 1e6:.1f} MB; do not copy tensors in TensorDataset.__init__")
    peak = seen["fetch_peak"]
    expect(peak < 256 * 1024,
           f"fetching one 4 KB sample of a 2 MB dataset allocated {peak / 1e6:.1f} MB; index the stored "
           "array (t.data[index]) instead of copying it in TensorDataset.__getitem__")
    labels = seen["labels"]
    expect(seen["images_nonzero"] == 0 and isinstance(labels, np.ndarray) and labels.shape == (512,)
           and np.array_equal(labels, np.arange(512)),
           "the arrays given to TensorDataset should not change when samples are fetched")
