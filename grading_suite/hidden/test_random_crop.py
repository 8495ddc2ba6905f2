"""Part 4, RandomCrop (10 points): zero padding, a window of the right size, uniform offsets, errors.

The hidden cases of this cell; its public checks, shipped to students, are in
``public/test_random_crop.py`` and count toward the same points."""

import numpy as np
import pytest

from grading_suite.public.checks import (binomial_tolerance, expect, expect_raised, kind, message_of, names_number,
                                         unstacked, whole_message)
from grading_suite.public.test_random_crop import (_array, _call, _case, _check_crop_shapes, _describe, _image,
                                                   _shape)

pytestmark = pytest.mark.transforms

FALSE_FAILURE = 1e-7  # chance that a correct implementation fails a statistical check
WINDOW_CALLS = 100
OFFSET_CALLS = 1000


def _zero_pad(image, padding, axes):
    widths = [(0, 0)] * image.ndim
    for axis in axes:
        widths[axis] = (padding, padding)
    return np.pad(image, widths, mode="constant", constant_values=0)


def _windows(padded, size, axes):
    """Every window of ``size`` in ``padded`` along ``axes``, keyed by its bytes -> (top, left).

    The test images make every window hold image pixels of distinct values,
    so each window's content tells its offset.
    """
    height_axis, width_axis = axes
    height, width = size
    windows = {}
    for top in range(padded.shape[height_axis] - height + 1):
        for left in range(padded.shape[width_axis] - width + 1):
            index = [slice(None)] * padded.ndim
            index[height_axis] = slice(top, top + height)
            index[width_axis] = slice(left, left + width)
            windows[np.ascontiguousarray(padded[tuple(index)]).tobytes()] = (top, left)
    count = (padded.shape[height_axis] - height + 1) * (padded.shape[width_axis] - width + 1)
    if len(windows) != count:
        raise RuntimeError("test set-up: the windows of the reference image are not distinct")
    return windows


def _key(result, shape, dtype):
    """The bytes of the described ``result`` as ``dtype`` if it has ``shape``, else None
    (b"" when its values did not come: an array no window equals)."""
    if _shape(result) != shape:
        return None
    array = _array(result)
    if array is None:
        return b""
    return np.ascontiguousarray(array, dtype=dtype).tobytes()


def _crops(observe, image, size, padding, calls, fresh):
    """``calls`` crops by one RandomCrop(size, padding) of ``image`` (copies when ``fresh``)."""
    return unstacked(observe("random_crop.repeated_crops", image=image.tolist(), dtype=image.dtype.name, size=size,
                             padding=padding, calls=calls, fresh=fresh))


@pytest.mark.points(1)
def test_crop_shape_hw_and_hwc(observe):
    """On (H, W) images the result is (h, w); with layout="HWC" on (H, W, C) images it is (h, w, C)."""
    cases = [((5, 6), {}, 4, 1, (4, 4)),
             ((5, 6), {}, (3, 5), 1, (3, 5)),
             ((5, 6), {"layout": "HWC"}, (3, 5), 1, (3, 5)),
             ((5, 6, 2), {"layout": "HWC"}, 4, 1, (4, 4, 2)),
             ((5, 6, 2), {"layout": "HWC"}, (3, 5), 1, (3, 5, 2)),
             ((6, 5, 3), {"layout": "HWC"}, (6, 2), 1, (6, 2, 3))]
    _check_crop_shapes(observe, cases,
                       "cut (height, width) = size from the axes that _image_axes gives for self.layout in "
                       "RandomCrop.__call__")


@pytest.mark.points(1)
def test_crop_keeps_type_and_dtype(observe):
    """A Tensor in gives a Tensor out, an ndarray gives an ndarray, and the dtype is kept."""
    dtypes = ("uint8", "float32", "float64", "int64")
    image = _image((2, 4, 5), "int64")  # 1 .. 40: every dtype holds it exactly
    results = observe("random_crop.typed_crops", image=image.tolist(), dtypes=list(dtypes), size=3, padding=1)
    for dtype, pair in zip(dtypes, results, strict=True):
        for (kind_name, type_name), result in zip((("an ndarray", "ndarray"), ("a Tensor", "Tensor")), pair,
                                                  strict=True):
            expect(kind(result) == type_name and result.get("type") == type_name,
                   f"RandomCrop(3, padding=1) given {kind_name} of {dtype} should return {kind_name}, got "
                   f"{_describe(result)}; wrap the result with _like_input in RandomCrop.__call__")
            expect(_shape(result) == (2, 3, 3),
                   f"RandomCrop(3, padding=1) given {kind_name} of shape (2, 4, 5) should return shape (2, 3, 3), "
                   f"got {_describe(result)}; types and dtypes count only for a real crop (RandomCrop.__call__)")
            expect(result.get("dtype") == dtype,
                   f"RandomCrop(3, padding=1) given {kind_name} of {dtype} should keep the dtype "
                   f"{dtype}, got {result.get('dtype')}; pad with np.pad (or a zero buffer of the "
                   "image's dtype) in RandomCrop.__call__")


@pytest.mark.points(1)
def test_crop_is_a_window_of_the_zero_padded_image(observe):
    """Every crop equals padded[:, top:top+h, left:left+w] of the zero-padded image for a valid offset."""
    image = _image((2, 4, 5))
    padded = _zero_pad(image, 2, (1, 2))
    windows = _windows(padded, (3, 3), (1, 2))
    results = _crops(observe, image, 3, 2, WINDOW_CALLS, fresh=True)
    expect(len(results) == WINDOW_CALLS, f"expected {WINDOW_CALLS} crops, got {len(results)}")
    for call, result in enumerate(results):
        key = _key(result, (2, 3, 3), image.dtype)
        if key is None:
            expect(False,
                   f"RandomCrop(3, padding=2) on a (2, 4, 5) image should return shape (2, 3, 3), got "
                   f"{_describe(result)}; cut the window from the height and width axes in RandomCrop.__call__")
        expect(key in windows,
               f"each crop of RandomCrop(3, padding=2) on a (2, 4, 5) image with no zeros should equal "
               "padded[:, top:top + 3, left:left + 3] of the image padded with 2 zeros on every side of height "
               f"and width (shape (2, 8, 9)) for some top in 0..5 and left in 0..6, but crop {call + 1} matches "
               "no such window; pad with zeros on both sides (np.pad, mode 'constant') and cut one window "
               "inside the padded image in RandomCrop.__call__")


def _ringed_image():
    """A 4 x 4 image: a ring of zeros around 4 distinct positive values.

    Its edge is zero, so zero and edge padding give the same padded image: the
    offset check below judges positions only, not the padding values.  Every
    3 x 3 window of it padded by 1 holds an inner pixel, so its content tells
    its offset.
    """
    image = np.zeros((4, 4))
    image[1:3, 1:3] = [[1, 2], [3, 4]]
    return image


@pytest.mark.points(2)
def test_every_offset_is_reachable_and_uniform(observe):
    """Over 1000 crops (4 x 4 image, padding 1, size 3) each of the 4 x 4 offsets comes up about equally often."""
    image = _ringed_image()
    padding, size = 1, 3
    padded = _zero_pad(image, padding, (0, 1))
    windows = _windows(padded, (size, size), (0, 1))
    positions = padded.shape[0] - size + 1  # tops 0..3 and lefts 0..3
    counts = np.zeros((positions, positions), dtype=int)
    results = _crops(observe, image, size, padding, OFFSET_CALLS, fresh=False)
    expect(len(results) == OFFSET_CALLS, f"expected {OFFSET_CALLS} crops, got {len(results)}")
    for call, result in enumerate(results):
        offset = windows.get(_key(result, (size, size), image.dtype))
        if offset is None:
            expect(False,
                   f"RandomCrop(3, padding=1) on a 4 x 4 image should return a 3 x 3 window of the zero-padded "
                   f"6 x 6 image, but crop {call + 1} ({_describe(result)}) is no such window; pad both sides of "
                   "height and width and cut one window in RandomCrop.__call__")
        counts[offset] += 1

    marginal_tolerance = binomial_tolerance(OFFSET_CALLS, 1 / positions, FALSE_FAILURE / (2 * positions))
    cell_tolerance = binomial_tolerance(OFFSET_CALLS, 1 / positions**2, FALSE_FAILURE / positions**2)
    expected = OFFSET_CALLS / positions
    for name, totals in (("top", counts.sum(axis=1)), ("left", counts.sum(axis=0))):
        for offset, count in enumerate(totals):
            expect(abs(count - expected) < marginal_tolerance,
                   f"RandomCrop(3, padding=1) on a 4 x 4 image should start the crop at each {name} offset "
                   f"0..3 about {expected:.0f} times in {OFFSET_CALLS} crops (within {marginal_tolerance:.0f}), "
                   f"but {name} = {offset} came {count} times (counts by {name}: {totals.tolist()}); draw {name} "
                   "uniformly from 0 .. padded size - crop size inclusive, anew on each call, in "
                   "RandomCrop.__call__")
    expected = OFFSET_CALLS / positions**2
    for (top, left), count in np.ndenumerate(counts):
        expect(abs(count - expected) < cell_tolerance,
               f"RandomCrop(3, padding=1) on a 4 x 4 image should give each of the 16 (top, left) offsets about "
               f"{expected:.0f} times in {OFFSET_CALLS} crops (within {cell_tolerance:.0f}), but ({top}, {left}) "
               f"came {count} times; draw top and left independently, each uniform over its range, in "
               "RandomCrop.__call__")


@pytest.mark.points(1)
def test_full_size_crop_is_the_zero_padded_image(observe):
    """A crop as large as the padded image is the image with `padding` zeros on every side of height and width."""
    cases = [((2, 3, 3), {}, 2, (1, 2)),
             ((3, 3), {}, 1, (0, 1)),
             ((3, 3, 2), {"layout": "HWC"}, 1, (0, 1))]
    sizes = [_zero_pad(_image(shape), padding, axes).shape[axes[0]] for shape, _, padding, axes in cases]
    results = observe("random_crop.crops",
                      cases=[_case(_image(shape), size, padding, layout_args)
                             for (shape, layout_args, padding, _), size in zip(cases, sizes)])
    for (shape, layout_args, padding, axes), size, result in zip(cases, sizes, results, strict=True):
        expected = _zero_pad(_image(shape), padding, axes)
        array = _array(result)
        same_shape = _shape(result) == expected.shape
        same = same_shape and array is not None and np.array_equal(array, expected)
        detail = _describe(result)
        if same_shape and array is not None and not same:
            border = np.ones(expected.shape, dtype=bool)
            inner = [slice(None)] * len(shape)
            for axis in axes:
                inner[axis] = slice(padding, padding + shape[axis])
            border[tuple(inner)] = False
            if np.any(array[border] != 0):
                detail += " whose border is not all zeros"
            else:
                detail += " with the image in the wrong place"
        expect(same,
               f"{_call(size, padding, layout_args)} on a {shape} image with no zeros should return the image "
               f"with {padding} zero(s) on both sides of height and width (shape {expected.shape}), got {detail}; "
               "pad with zeros (np.pad, mode 'constant') on both sides of the height and width axes only in "
               "RandomCrop.__call__")


@pytest.mark.points(1)
def test_crop_without_padding_of_image_size_returns_image(observe):
    """With padding=0 and size equal to the image, the crop is the image itself (CHW, HW and HWC)."""
    cases = [((3, 4, 4), {}, 4), ((4, 4), {}, 4), ((4, 4, 3), {"layout": "HWC"}, 4)]
    results = observe("random_crop.crops",
                      cases=[_case(_image(shape), size, 0, layout_args) for shape, layout_args, size in cases])
    # Returning the image is right here, and also what code that does nothing returns:
    # the points count only with a smaller crop of the same image that has the crop's shape.
    smaller = observe("random_crop.crops", cases=[_case(_image((3, 4, 4)), 3, 0, {})])
    expect(_shape(smaller[0]) == (3, 3, 3),
           f"RandomCrop(3, padding=0) on a (3, 4, 4) image should return shape (3, 3, 3), got "
           f"{_describe(smaller[0])}; cut the window in RandomCrop.__call__")
    for (shape, layout_args, size), result in zip(cases, results, strict=True):
        image = _image(shape)
        array = _array(result)
        same_shape = _shape(result) == image.shape
        expect(same_shape and array is not None and np.array_equal(array, image),
               f"{_call(size, 0, layout_args)} on a {shape} image should return the image unchanged (the only "
               f"window), got {_describe(result)}"
               f"{' with other values' if same_shape else ''}; with padding 0 the only offset "
               "is (0, 0), see RandomCrop.__call__")


@pytest.mark.points(1)
def test_oversized_crop_message_names_both_sizes(observe):
    """The ValueError for an oversized crop names the crop size and the padded image size."""
    image = _image((1, 11, 13))  # padded by 2: 15 x 17
    outcome = observe("random_crop.oversized_message", image=image.tolist(), dtype=image.dtype.name, padding=2,
                      size=[16, 18])
    info = expect_raised(outcome, "ValueError",
                         "RandomCrop((16, 18), padding=2) on a (1, 11, 13) image, padded to 15 x 17, should "
                         "raise ValueError; compare the crop with the padded size in RandomCrop.__call__")
    message = whole_message(info)
    missing_crop = [n for n in (16, 18) if not names_number(message, n)]
    missing_padded = [n for n in (15, 17) if not names_number(message, n)]
    expect(not missing_crop and not missing_padded,
           "the ValueError of RandomCrop((16, 18), padding=2) on an 11 x 13 image should name the crop size "
           f"(16, 18) and the padded image size (15, 17), but its message {message_of(info)} lacks "
           f"{', '.join(str(n) for n in missing_crop + missing_padded)}; put both sizes in the message in "
           "RandomCrop.__call__")
