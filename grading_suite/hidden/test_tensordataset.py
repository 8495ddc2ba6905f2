"""Part 2, TensorDataset (20 points): length, tuple samples, dtypes, list-like
indexing, clear errors for bad indices and mismatched sizes, no copies.

The hidden cases of this cell; its public checks, shipped to students, are in
``public/test_tensordataset.py`` and count toward the same points."""

import numpy as np
import pytest

from grading_suite.hidden.judging_tensordataset import (PROPERTY_DTYPES, PROPERTY_TRAILING, _dtype_of,
                                                     _expect_message_names, _pair_of, _property_check,
                                                     _property_strategy, _tuple_items)
from grading_suite.hidden.properties import check_property
from grading_suite.public.checks import (array_of, distinct_ids, expect, expect_raised, expect_tensors, items_of, kind,
                                         type_with_article)
from grading_suite.public.test_tensordataset import _as_array, _floats, _images, _labels, _listed, _spec

pytestmark = pytest.mark.tensordataset


@pytest.mark.points(2)
def test_sample_is_tuple_of_tensors(observe, draw):
    """ds[i] is a tuple with one Tensor per stored tensor (1, 2 and 3 tensors, and NumPy arrays)."""
    size = draw.randint(3, 8)
    stored = (_spec(_images(draw, size)), _spec(_labels(draw, size)), _spec(_floats(draw, (size, 3), np.float32)))
    cases = [(f"{count} tensor(s)", list(stored[:count])) for count in (1, 2, 3)]
    cases.append(("a NumPy array and a Tensor", [_spec(_images(draw, size), numpy=True), stored[1]]))
    for description, inputs in cases:
        index = draw.randrange(size)
        sample, = observe("tensordataset.samples", inputs=inputs, indices=[index])
        elements = _tuple_items(sample, len(inputs), f"with {description}, ds[{index}]", "element(s)",
                                "check TensorDataset.__getitem__")
        expect_tensors(elements, f"with {description}, every element of ds[{index}]",
                       "wrap NumPy arrays in Tensor in TensorDataset.__init__ and return Tensors from __getitem__")


@pytest.mark.points(1)
def test_dtypes_kept(observe, draw):
    """Samples keep each tensor's dtype: float32 images, int64 labels, a uint8 NumPy array."""
    size = draw.randint(3, 8)
    index = draw.randrange(size)
    pixels = np.array([draw.randrange(256) for _ in range(size * 3)], dtype=np.uint8).reshape(size, 3)
    sample, = observe("tensordataset.samples", inputs=[_spec(_images(draw, size)), _spec(_labels(draw, size)),
                                                       _spec(pixels, numpy=True)], indices=[index])
    elements = items_of(sample)
    expect(len(elements) == 3, f"ds[{index}] of three tensors should have 3 elements, got {len(elements)}")
    image, label, raw = elements
    for name, element, dtype in (("float32 image", image, np.float32), ("int64 label", label, np.int64),
                                 ("uint8 array", raw, np.uint8)):
        got = _dtype_of(element)
        expect(got == str(np.dtype(dtype)), f"the {name} of ds[{index}] should keep dtype {np.dtype(dtype)}, "
                                            f"got {got}; do not convert dtypes in TensorDataset")
    got_raw = _as_array(raw)
    expect(got_raw is not None and np.array_equal(got_raw, pixels[index]),
           f"ds[{index}] of the uint8 array should be {pixels[index].tolist()}, got {_listed(got_raw)}")


@pytest.mark.points(1)
def test_negative_indices(observe, draw):
    """ds[-k] is sample len - k, as for a Python list (ds[-1] last, ds[-len] first)."""
    size = draw.randint(3, 10)
    images, labels = _images(draw, size), _labels(draw, size)
    ks = draw.sample(range(1, size + 1), size)  # every k from 1 to len, in a drawn order
    outcomes = observe("tensordataset.index_attempts", inputs=[_spec(images), _spec(labels)],
                       indices=[-k for k in ks])
    expect(len(outcomes) == size, f"the probe saw {len(outcomes)} indices instead of {size}")
    for k, outcome in zip(ks, outcomes):
        elements = _pair_of(outcome, f"ds[{-k}]", f"ds[{-k}] on {size} samples", size - k, ("IndexError",),
                            "negative indices count from the end in TensorDataset.__getitem__")
        got_image, got_label = (_as_array(element) for element in elements)
        expect(got_label is not None and np.array_equal(got_label, labels[size - k])
               and got_image is not None and np.array_equal(got_image, images[size - k]),
               f"ds[{-k}] on {size} samples should be sample {size - k} (label {labels[size - k]}), "
               f"got label {_listed(got_label)}; a negative index i means i + len in "
               "TensorDataset.__getitem__")


@pytest.mark.points(1)
def test_out_of_range_raises_index_error(observe, draw):
    """ds[i] raises IndexError for i >= len and for i < -len."""
    size = draw.randint(3, 10)
    beyond = [size + draw.randint(1, 200) if draw.random() < 0.5 else -size - 1 - draw.randint(1, 200)
              for _ in range(draw.randint(2, 10))]
    indices = [size, -size - 1, *beyond]  # the boundaries len and -len - 1 always among them
    indices = draw.sample(indices, len(indices))
    inputs = [_spec(_images(draw, size)), _spec(_labels(draw, size))]
    outcomes = observe("tensordataset.index_attempts", inputs=inputs, indices=indices)
    expect(len(outcomes) == len(indices), f"the probe saw {len(outcomes)} indices instead of {len(indices)}")
    for index, outcome in zip(indices, outcomes):
        expect_raised(outcome, "IndexError",
                      f"ds[{index}] on {size} samples should raise IndexError (valid indices are "
                      f"{-size} .. {size - 1}); check the range in TensorDataset.__getitem__")


@pytest.mark.points(1)
def test_index_error_names_index_and_size(observe, draw):
    """The IndexError message names the index asked for (as given, a negative one too) and the dataset size."""
    size = draw.randint(10, 99)  # two digits or more: no number of the message names them by accident
    indices = [size + draw.randint(1, 99), -size - draw.randint(1, 99)]
    inputs = [_spec(_images(draw, size)), _spec(_labels(draw, size))]
    outcomes = observe("tensordataset.index_attempts", inputs=inputs, indices=indices)
    for index, outcome in zip(indices, outcomes):
        info = expect_raised(outcome, "IndexError", f"ds[{index}] on {size} samples should raise IndexError")
        _expect_message_names(info, (index, size),
                              f"the IndexError for ds[{index}] on {size} samples should name the index {index} "
                              f"as it was given and the size {size}", "check TensorDataset.__getitem__")


@pytest.mark.points(1)
def test_mismatch_message_names_shapes(observe, draw):
    """The mismatch ValueError message lists every tensor's shape, not only the one that differs."""
    rows, width, middle, count, extra = draw.sample(range(10, 100), 5)  # two digits, all different
    inputs = [_spec(_floats(draw, (rows, width))), _spec(_floats(draw, (rows, middle))),
              _spec(_floats(draw, (count, extra)))]
    shapes = f"({rows}, {width}), ({rows}, {middle}) and ({count}, {extra})"
    outcome = observe("tensordataset.construct", inputs=inputs)
    info = expect_raised(outcome, "ValueError", f"TensorDataset of tensors of shapes {shapes} should raise ValueError")
    _expect_message_names(info, (rows, width, middle, count, extra),
                          f"the ValueError for tensors of shapes {shapes} should list every shape",
                          "list the shapes in TensorDataset.__init__")


@pytest.mark.points(1)
def test_no_tensors_raises_value_error(observe):
    """TensorDataset() with no tensors raises ValueError (and one tensor is enough)."""
    expect_raised(observe("tensordataset.construct", inputs=[]), "ValueError",
                  "TensorDataset() with no tensors should raise ValueError; check TensorDataset.__init__")
    _expect_accepted(observe, [_spec(_labels(observe.draw, observe.draw.randint(2, 9)))], "one tensor of labels")


def _expect_accepted(observe, inputs, description):
    """A valid call next to a refused one: TensorDataset(*inputs) works and has
    the length of the first input (refusing everything is not checking)."""
    size = len(inputs[0]["values"])
    got = observe("tensordataset.length", inputs=inputs)
    expect(got == size, f"TensorDataset of {description} ({size} samples) should be accepted, with length {size}, "
                        f"got {got}; refuse only what is invalid")


@pytest.mark.points(1)
def test_zero_dimensional_tensor_raises_value_error(observe, draw):
    """A 0-dimensional tensor (no axis 0) is refused with ValueError."""
    scalar = np.array(draw.uniform(-100.0, 100.0), dtype=draw.choice([np.float32, np.float64]))
    expect_raised(observe("tensordataset.construct", inputs=[_spec(scalar)]), "ValueError",
                  "TensorDataset of a 0-dimensional tensor should raise ValueError; check TensorDataset.__init__")
    vector = np.array([draw.uniform(-100.0, 100.0) for _ in range(draw.randint(1, 9))], dtype=scalar.dtype)
    _expect_accepted(observe, [_spec(vector)], "a 1-dimensional tensor")
    size = draw.randint(2, 9)
    label = np.array(draw.randint(-1000, 1000), dtype=np.int64)
    inputs = [_spec(_labels(draw, size)), _spec(label)]
    expect_raised(observe("tensordataset.construct", inputs=inputs), "ValueError",
                  f"TensorDataset of a {size}-sample tensor and a 0-dimensional tensor should raise ValueError; "
                  "check TensorDataset.__init__")


@pytest.mark.points(1)
def test_numpy_integer_index(observe, draw):
    """NumPy integers work as indices: ds[np.int64(2)] is sample 2, ds[np.int32(4)] sample 4."""
    size = draw.randint(3, 9)
    labels = _labels(draw, size)
    cases = [("int64", draw.randrange(1, size)), ("int32", draw.randrange(1, size)), ("int64", 0)]
    cases = draw.sample(cases, len(cases))  # index 0 always among them
    outcomes = observe("tensordataset.index_attempts", inputs=[_spec(_images(draw, size)), _spec(labels)],
                       indices=[[dtype, value] for dtype, value in cases])
    expect(len(outcomes) == len(cases), f"the probe saw {len(outcomes)} indices instead of {len(cases)}")
    for (dtype, expected), outcome in zip(cases, outcomes):
        call = f"ds[np.{dtype}({expected})]"
        elements = _pair_of(outcome, call, call, expected, ("IndexError", "TypeError", "ValueError"),
                            "accept NumPy integers in TensorDataset.__getitem__")
        label = _as_array(elements[1])
        expect(label is not None and np.array_equal(label, labels[expected]),
               f"ds[np.{dtype}({expected})] should be sample {expected} (label {labels[expected]}), "
               f"got label {_listed(label)}")


@pytest.mark.points(1)
def test_does_not_copy_the_data(observe, draw):
    """Building the dataset and fetching samples copy nothing of a 2 MB array (neither the array
    nor a sample of 256 KB) and leave it unchanged."""
    size = draw.randint(448, 576)  # images of 4 KB each: about 2 MB
    labels = distinct_ids(draw, size)
    indices = [draw.randrange(size - 1), size - 1]  # one drawn sample, then the last
    seen = observe("tensordataset.copies", labels=labels, indices=indices)
    _expect_last_label(seen, labels)
    peak = seen["build_peak"]
    expect(peak < 256 * 1024,
           f"TensorDataset over a 2 MB array should keep a reference, not a copy, but building it allocated "
           f"{peak / 1e6:.1f} MB; do not copy tensors in TensorDataset.__init__")
    peak = seen["fetch_peak"]
    expect(peak < 256 * 1024,
           f"fetching one 4 KB sample of a 2 MB dataset allocated {peak / 1e6:.1f} MB; index the stored "
           "array (t.data[index]) instead of copying it in TensorDataset.__getitem__")
    got = seen["labels"]
    expect(seen["images_nonzero"] == 0 and isinstance(got, np.ndarray) and got.shape == (size,)
           and np.array_equal(got, labels),
           "the arrays given to TensorDataset should not change when samples are fetched")
    size = draw.randint(6, 10)  # images of 256 KB each: a copied sample shows plainly
    labels = distinct_ids(draw, size)
    indices = [draw.randrange(size - 1), size - 1]
    seen = observe("tensordataset.copies", labels=labels, indices=indices, width=LARGE_WIDTH)
    _expect_last_label(seen, labels)
    peak = seen["fetch_peak"]
    expect(peak < 64 * 1024,
           f"fetching two samples of 256 KB each from a TensorDataset allocated {peak / 1e3:.0f} KB: a sample "
           "should be a view into the stored array (t.data[index] with an integer index), not a copy; check "
           "TensorDataset.__getitem__")


LARGE_WIDTH = 65536  # float32 values per sample: 256 KB


def _expect_last_label(seen, labels):
    """The second sample ``copies`` fetched (the last one) holds the last label."""
    size = len(labels)
    last = items_of(seen["samples"][1]) if len(seen["samples"]) == 2 else []
    label = array_of(last[1]) if len(last) == 2 else None
    expect(label is not None and label.shape == () and int(label) == labels[-1],
           f"ds[{size - 1}] of TensorDataset(images, {size} labels) should hold the label {labels[-1]}, got "
           "something else; memory counts only for a dataset that returns its samples (TensorDataset.__getitem__)")


@pytest.mark.points(1)
def test_tensors_stored_as_tuple(observe, draw):
    """self.tensors is a tuple holding one Tensor per argument, in order, NumPy arrays wrapped."""
    size = draw.randint(2, 8)
    arrays = [_images(draw, size), _labels(draw, size), _floats(draw, (size, 2))][:draw.randint(1, 3)]
    numpy = draw.randrange(len(arrays))  # one argument given as a NumPy array
    inputs = [_spec(array, numpy=position == numpy) for position, array in enumerate(arrays)]
    stored = observe("tensordataset.stored_tensors", inputs=inputs)
    given = f"TensorDataset of {len(arrays)} argument(s) (argument {numpy} a NumPy array)"
    elements = _tuple_items(stored, len(arrays), f"after {given}, self.tensors", "tensor(s)",
                            "store the tensors as a tuple, in order, in TensorDataset.__init__")
    for position, (element, array) in enumerate(zip(elements, arrays)):
        got = array_of(element)
        expect(kind(element) == "Tensor" and got is not None and got.dtype == array.dtype
               and np.array_equal(got, array),
               f"after {given}, self.tensors[{position}] should be a Tensor of argument {position} "
               f"({array.dtype}, shape {array.shape}), got {type_with_article(element)}"
               f"{'' if got is None else f' of dtype {got.dtype}, shape {got.shape}'}; wrap NumPy arrays in Tensor "
               "and keep the order in TensorDataset.__init__")


PROPERTY_EXAMPLES = 10  # probe calls; each builds one to three datasets


@pytest.mark.points(2)
def test_samples_are_slices_property(observe, draw):
    """Property (Hypothesis): for datasets of 0 to 6 samples over one to three tensors of any dtype (bool,
    uint8, int32, int64, float32, float64) and sample shape (1-D, (N, 1), 2-D, 3-D, 4-D tensors), given as
    Tensors or NumPy arrays: len is N, ds[i] and ds[i - N] are the i-th slices with values and dtypes unchanged,
    and indices past either end raise IndexError.  One drawn example always covers the edges: an empty
    dataset, and one dataset over a tensor of each dtype."""
    check = _property_check(observe)

    def tensor(dtype):
        return (dtype, draw.choice(PROPERTY_TRAILING), draw.random() < 0.5)

    def beyond():
        return [0, draw.randint(1, 40)]

    check([{"size": 0, "tensors": [tensor(draw.choice(PROPERTY_DTYPES)) for _ in range(draw.randint(1, 3))],
            "seed": draw.getrandbits(32), "beyond": beyond()},
           {"size": draw.randint(1, 6), "tensors": [tensor(dtype) for dtype in draw.sample(PROPERTY_DTYPES, 6)],
            "seed": draw.getrandbits(32), "beyond": beyond()}])
    check_property(observe, _property_strategy(), check, examples=PROPERTY_EXAMPLES)
