"""Part 4, RandomCrop (10 points): zero padding, a window of the right size, uniform offsets, errors.

The hidden cases of this cell; its public checks, shipped to students, are in
``tests/public/test_random_crop.py`` and count toward the same points."""

import numpy as np
import pytest

from tests.public.support import as_array, binomial_tolerance, expect, expect_raises, names_number
from tests.public.test_random_crop import _call, _check_crop_shapes, _describe, _image
from tinytorch.core.tensor import Tensor

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
    """The bytes of ``result`` as ``dtype`` if it has ``shape``, else None."""
    array = as_array(result)
    if array.shape != shape:
        return None
    return np.ascontiguousarray(array, dtype=dtype).tobytes()


@pytest.mark.points(1)
def test_crop_shape_hw_and_hwc(RandomCrop):
    """On (H, W) images the result is (h, w); with layout="HWC" on (H, W, C) images it is (h, w, C)."""
    cases = [((5, 6), {}, 4, 1, (4, 4)),
             ((5, 6), {}, (3, 5), 1, (3, 5)),
             ((5, 6), {"layout": "HWC"}, (3, 5), 1, (3, 5)),
             ((5, 6, 2), {"layout": "HWC"}, 4, 1, (4, 4, 2)),
             ((5, 6, 2), {"layout": "HWC"}, (3, 5), 1, (3, 5, 2)),
             ((6, 5, 3), {"layout": "HWC"}, (6, 2), 1, (6, 2, 3))]
    _check_crop_shapes(RandomCrop, cases,
                       "cut (height, width) = size from the axes that _image_axes gives for self.layout in "
                       "RandomCrop.__call__")


@pytest.mark.points(1)
def test_crop_keeps_type_and_dtype(RandomCrop):
    """A Tensor in gives a Tensor out, an ndarray gives an ndarray, and the dtype is kept."""
    crop = RandomCrop(3, padding=1)
    for dtype in (np.uint8, np.float32, np.float64, np.int64):
        image = _image((2, 4, 5), dtype)
        for wrap, kind, kind_type in ((np.asarray, "an ndarray", np.ndarray), (Tensor, "a Tensor", Tensor)):
            result = crop(wrap(image.copy()))
            expect(type(result) is kind_type,
                   f"RandomCrop(3, padding=1) given {kind} of {dtype.__name__} should return {kind}, got "
                   f"{_describe(result)}; wrap the result with _like_input in RandomCrop.__call__")
            expect(as_array(result).dtype == np.dtype(dtype),
                   f"RandomCrop(3, padding=1) given {kind} of {dtype.__name__} should keep the dtype "
                   f"{dtype.__name__}, got {as_array(result).dtype}; pad with np.pad (or a zero buffer of the "
                   "image's dtype) in RandomCrop.__call__")


@pytest.mark.points(1)
def test_crop_is_a_window_of_the_zero_padded_image(RandomCrop):
    """Every crop equals padded[:, top:top+h, left:left+w] of the zero-padded image for a valid offset."""
    image = _image((2, 4, 5))
    padded = _zero_pad(image, 2, (1, 2))
    windows = _windows(padded, (3, 3), (1, 2))
    crop = RandomCrop(3, padding=2)
    for call in range(WINDOW_CALLS):
        result = crop(image.copy())
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
def test_every_offset_is_reachable_and_uniform(RandomCrop):
    """Over 1000 crops (4 x 4 image, padding 1, size 3) each of the 4 x 4 offsets comes up about equally often."""
    image = _ringed_image()
    padding, size = 1, 3
    padded = _zero_pad(image, padding, (0, 1))
    windows = _windows(padded, (size, size), (0, 1))
    positions = padded.shape[0] - size + 1  # tops 0..3 and lefts 0..3
    counts = np.zeros((positions, positions), dtype=int)
    crop = RandomCrop(size, padding=padding)
    for call in range(OFFSET_CALLS):
        result = crop(image)
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
def test_full_size_crop_is_the_zero_padded_image(RandomCrop):
    """A crop as large as the padded image is the image with `padding` zeros on every side of height and width."""
    cases = [((2, 3, 3), {}, 2, (1, 2)),
             ((3, 3), {}, 1, (0, 1)),
             ((3, 3, 2), {"layout": "HWC"}, 1, (0, 1))]
    for shape, layout_args, padding, axes in cases:
        image = _image(shape)
        expected = _zero_pad(image, padding, axes)
        size = expected.shape[axes[0]]
        result = RandomCrop(size, padding=padding, **layout_args)(image.copy())
        array = as_array(result)
        same = array.shape == expected.shape and np.array_equal(array, expected)
        detail = _describe(result)
        if array.shape == expected.shape and not same:
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
def test_crop_without_padding_of_image_size_returns_image(RandomCrop):
    """With padding=0 and size equal to the image, the crop is the image itself (CHW, HW and HWC)."""
    cases = [((3, 4, 4), {}, 4), ((4, 4), {}, 4), ((4, 4, 3), {"layout": "HWC"}, 4)]
    for shape, layout_args, size in cases:
        image = _image(shape)
        result = RandomCrop(size, padding=0, **layout_args)(image.copy())
        array = as_array(result)
        expect(array.shape == image.shape and np.array_equal(array, image),
               f"{_call(size, 0, layout_args)} on a {shape} image should return the image unchanged (the only "
               f"window), got {_describe(result)}"
               f"{' with other values' if array.shape == image.shape else ''}; with padding 0 the only offset "
               "is (0, 0), see RandomCrop.__call__")


@pytest.mark.points(1)
def test_oversized_crop_message_names_both_sizes(RandomCrop):
    """The ValueError for an oversized crop names the crop size and the padded image size."""
    image = _image((1, 11, 13))  # padded by 2: 15 x 17
    crop = RandomCrop((16, 18), padding=2)
    error = expect_raises(ValueError, lambda: crop(image),
                          "RandomCrop((16, 18), padding=2) on a (1, 11, 13) image, padded to 15 x 17, should "
                          "raise ValueError; compare the crop with the padded size in RandomCrop.__call__")
    message = str(error)
    missing_crop = [n for n in (16, 18) if not names_number(message, n)]
    missing_padded = [n for n in (15, 17) if not names_number(message, n)]
    expect(not missing_crop and not missing_padded,
           "the ValueError of RandomCrop((16, 18), padding=2) on an 11 x 13 image should name the crop size "
           f"(16, 18) and the padded image size (15, 17), but its message {message!r} lacks "
           f"{', '.join(str(n) for n in missing_crop + missing_padded)}; put both sizes in the message in "
           "RandomCrop.__call__")
