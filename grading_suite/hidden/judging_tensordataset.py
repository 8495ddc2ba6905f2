"""Judging helpers of ``test_tensordataset.py``: message checks, and the Hypothesis property
over datasets of any dtype and sample shape (its strategy, arrays and check).

Plain data in, expected values and messages out; nothing here calls student code."""

import numpy as np
from hypothesis import strategies as st

from grading_suite.public.checks import (array_of, expect, expect_raised, is_error, items_of, kind, message_of,
                                         names_number, raised, returned, type_with_article, whole_message)
from grading_suite.public.observe import describe_raised
from grading_suite.public.test_tensordataset import _as_array


def _expect_message_names(info, numbers, expectation, advice):
    """Fail unless the message of the exception ``info`` names each of ``numbers`` as a whole
    number; the failure says ``expectation``, quotes the message, then gives ``advice``."""
    message = whole_message(info)
    expect(all(names_number(message, number) for number in numbers),
           f"{expectation}, got the message {message_of(info)}; {advice}")


def _pair_of(outcome, call, where, expected, refused, advice):
    """The (image, label) elements of the sample that ``call`` (e.g. "ds[-2]") gave, ``where`` naming
    the call with its dataset; fail when it raised one of the built-in errors ``refused`` (it should
    be sample ``expected``: the message ends with ``advice``), raised anything else, or did not give
    2 elements."""
    info = raised(outcome)
    if any(is_error(info, name) for name in refused):
        expect(False, f"{where} should be sample {expected}, but it raised {info.get('type')}: {message_of(info)}; "
                      f"{advice}")
    expect(info is None, describe_raised(info) if info is not None else "")
    elements = items_of(returned(outcome))
    expect(len(elements) == 2, f"{call} of images and labels should be 2 elements, got {len(elements)}")
    return elements


def _tuple_items(described, count, what, items, advice):
    """The elements of ``described`` (what ``what``, e.g. "ds[3]", gave); fail unless it is a
    tuple of ``count`` ``items`` (e.g. "tensor(s)"), each message ending with ``advice``."""
    expect(kind(described) == "tuple", f"{what} should be a tuple, got {type_with_article(described)}; {advice}")
    elements = items_of(described)
    expect(len(elements) == count, f"{what} should hold {count} {items}, got {len(elements)}; {advice}")
    return elements


def _dtype_of(description):
    """The dtype of a described element, as NumPy would report it for ``as_array(element)``."""
    if kind(description) in ("Tensor", "ndarray"):
        return str(description.get("dtype"))
    array = _as_array(description)
    return str(array.dtype) if array is not None else f"no dtype (a {description.get('type', 'value')})"


PROPERTY_DTYPES = ("bool", "uint8", "int32", "int64", "float32", "float64")


PROPERTY_TRAILING = ((), (1,), (3,), (2, 3), (1, 2, 2))  # samples of 1-D, (N, 1), 2-D, 3-D and 4-D tensors


def _property_array(rng, size, dtype, trailing):
    """A drawn array of ``size`` samples of shape ``trailing`` and ``dtype``, with values that show a
    change of dtype (fractions, large integers, the whole uint8 range)."""
    shape = (size, *trailing)
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype in ("uint8", "int32", "int64"):
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)
    return (rng.standard_normal(shape) * 1000).astype(dtype)


def _property_strategy():
    """Hypothesis examples: lists of one to three datasets, each of ``size`` samples (0 to 6), one to three
    tensors of any PROPERTY_DTYPES and PROPERTY_TRAILING sample shape, given as Tensors or NumPy arrays."""
    tensor = st.tuples(st.sampled_from(PROPERTY_DTYPES), st.sampled_from(PROPERTY_TRAILING), st.booleans())
    case = st.fixed_dictionaries({"size": st.integers(0, 6), "tensors": st.lists(tensor, min_size=1, max_size=3),
                                  "seed": st.integers(0, 2**32 - 1),
                                  "beyond": st.lists(st.integers(0, 40), min_size=1, max_size=3)})
    return st.lists(case, min_size=1, max_size=3)


def _property_check(observe):
    """The check of one Hypothesis example: every dataset of the example is built, measured and indexed
    by one probe call, and compared with the arrays it was built from."""

    def check(example):
        cases, built = [], []
        for case in example:
            rng = np.random.default_rng(case["seed"])
            size = case["size"]
            arrays = [_property_array(rng, size, dtype, trailing) for dtype, trailing, _ in case["tensors"]]
            inputs = [{"values": array.reshape(-1).tolist(), "dtype": array.dtype.name, "shape": list(array.shape),
                       "numpy": numpy} for array, (_, _, numpy) in zip(arrays, case["tensors"])]
            indices = list(range(size)) + [index - size for index in range(size)]
            bad = sorted({size + extra for extra in case["beyond"]} | {-size - 1 - extra for extra in case["beyond"]})
            cases.append({"inputs": inputs, "indices": indices, "bad": bad})
            described = ", ".join(f"{'a NumPy array' if numpy else 'a Tensor'} {array.dtype.name}{list(array.shape)}"
                                  for array, (_, _, numpy) in zip(arrays, case["tensors"]))
            built.append((f"TensorDataset({described})", size, arrays))
        seen = observe("tensordataset.property_cases", cases=cases)
        expect(len(seen) == len(cases), f"the probe saw {len(seen)} datasets instead of {len(cases)}")
        for (name, size, arrays), case, observed in zip(built, cases, seen):
            _check_property_case(name, size, arrays, case, observed)

    return check


def _check_property_case(name, size, arrays, case, observed):
    """Fail with a message naming the dataset ``name`` unless ``observed`` is what it should be."""
    if "construction" in observed:
        info = raised(observed["construction"])
        expect(False, f"{name} should be accepted, with length {size}, but "
                      f"{describe_raised(info) if info else 'it failed'}; refuse only no tensors, 0-dimensional "
                      "tensors and first dimensions that differ in TensorDataset.__init__")
    length = returned(observed["length"])
    expect(length == size, f"len({name}) should be {size}, got "
                           f"{length if raised(observed['length']) is None else describe_raised(raised(observed['length']))}"
                           "; check TensorDataset.__len__")
    for index, outcome in zip(case["indices"], observed["samples"]):
        position = index % size
        info = raised(outcome)
        expect(info is None, f"{name}[{index}] should be sample {position}, but {describe_raised(info) if info else ''}; "
                             "check TensorDataset.__getitem__")
        sample = returned(outcome)
        elements = items_of(sample)
        expect(kind(sample) == "tuple" and len(elements) == len(arrays),
               f"{name}[{index}] should be a tuple of {len(arrays)} Tensor(s), got {type_with_article(sample)}"
               f"{f' of {len(elements)} element(s)' if kind(sample) in ('tuple', 'list') else ''}; "
               "check TensorDataset.__getitem__")
        for number, (element, array) in enumerate(zip(elements, arrays)):
            expected = array[position]
            got = array_of(element)
            expect(kind(element) == "Tensor",
                   f"{name}[{index}][{number}] should be a Tensor, got {type_with_article(element)}; "
                   "check TensorDataset.__getitem__")
            expect(got is not None and got.dtype == expected.dtype and got.shape == expected.shape
                   and np.array_equal(got, expected),
                   f"{name}[{index}][{number}] should be tensors[{number}][{position}]: dtype {expected.dtype}, "
                   f"shape {expected.shape}, values {expected.tolist()}; got "
                   f"{'no data' if got is None else f'dtype {got.dtype}, shape {got.shape}, values {got.tolist()}'}; "
                   "return Tensor(t.data[index]) for each stored tensor, dtypes unchanged, in TensorDataset.__getitem__")
    for index, outcome in zip(case["bad"], observed["bad"]):
        expect_raised(outcome, "IndexError",
                      f"{name}[{index}] should raise IndexError (valid indices are {-size} .. {size - 1}); check "
                      "the range in TensorDataset.__getitem__")
