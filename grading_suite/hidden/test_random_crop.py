"""Part 4, RandomCrop (10 points): zero padding, a window of the right size, uniform offsets, errors.

The hidden cases of this cell; its public checks, shipped to students, are in
``public/test_random_crop.py`` and count toward the same points.

Every test draws its inputs from ``observe.draw`` (image sizes and distinct values,
crop sizes, padding, the order of dtypes), so no table of answers for fixed inputs
passes; the expected crops and the windows an offset can give are computed here
from the drawn inputs."""

import numpy as np
import pytest

from grading_suite.public.checks import (binomial_tolerance, expect, expect_raised, kind, message_of, names_number,
                                         unstacked, whole_message)
from grading_suite.public.test_random_crop import (_array, _call, _case, _channels, _check_crop_shapes, _describe,
                                                   _image, _shape, _shape_case, _sides)

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
    draw = observe.draw
    cases = [_shape_case(draw, "HW", "square"),
             _shape_case(draw, "HW", "wide"),
             _shape_case(draw, "HW", "wide", {"layout": "HWC"}),
             _shape_case(draw, "HWC", "square"),
             _shape_case(draw, "HWC", "wide"),
             _shape_case(draw, "HWC", "tall")]
    _check_crop_shapes(observe, cases,
                       "cut (height, width) = size from the axes that _image_axes gives for self.layout in "
                       "RandomCrop.__call__")


@pytest.mark.points(1)
def test_crop_keeps_type_and_dtype(observe):
    """A Tensor in gives a Tensor out, an ndarray gives an ndarray, and the dtype is kept."""
    draw = observe.draw
    dtypes = draw.sample(("uint8", "float32", "float64", "int64"), 4)
    height, width = _sides(draw, 3, 7)
    size, padding = draw.randint(2, height), draw.randint(1, 2)
    image = _image(draw, (_channels(draw, height, width, size), height, width), "int64", high=256)
    # distinct values from 1 .. 255: every dtype holds them exactly
    expected = (image.shape[0], size, size)
    crop = f"RandomCrop({size}, padding={padding})"
    results = observe("random_crop.typed_crops", image=image.tolist(), dtypes=list(dtypes), size=size,
                      padding=padding)
    for dtype, pair in zip(dtypes, results, strict=True):
        for (kind_name, type_name), result in zip((("an ndarray", "ndarray"), ("a Tensor", "Tensor")), pair,
                                                  strict=True):
            expect(kind(result) == type_name and result.get("type") == type_name,
                   f"{crop} given {kind_name} of {dtype} should return {kind_name}, got "
                   f"{_describe(result)}; wrap the result with _like_input in RandomCrop.__call__")
            expect(_shape(result) == expected,
                   f"{crop} given {kind_name} of shape {image.shape} should return shape {expected}, "
                   f"got {_describe(result)}; types and dtypes count only for a real crop (RandomCrop.__call__)")
            expect(result.get("dtype") == dtype,
                   f"{crop} given {kind_name} of {dtype} should keep the dtype "
                   f"{dtype}, got {result.get('dtype')}; pad with np.pad (or a zero buffer of the "
                   "image's dtype) in RandomCrop.__call__")


@pytest.mark.points(1)
def test_crop_is_a_window_of_the_zero_padded_image(observe):
    """Every crop equals padded[:, top:top+h, left:left+w] of the zero-padded image for a valid offset."""
    draw = observe.draw
    height, width = _sides(draw, 3, 7)
    if draw.random() < 0.5:
        height, width = width, height
    padding = draw.randint(1, min(3, height - 1, width - 1))
    size = draw.randint(padding + 1, min(height, width))  # more than the padding: every window holds pixels
    image = _image(draw, (draw.randint(1, 3), height, width))
    padded = _zero_pad(image, padding, (1, 2))
    windows = _windows(padded, (size, size), (1, 2))
    expected = (image.shape[0], size, size)
    crop = f"RandomCrop({size}, padding={padding}) on a {image.shape} image"
    results = _crops(observe, image, size, padding, WINDOW_CALLS, fresh=True)
    expect(len(results) == WINDOW_CALLS, f"expected {WINDOW_CALLS} crops, got {len(results)}")
    for call, result in enumerate(results):
        key = _key(result, expected, image.dtype)
        if key is None:
            expect(False,
                   f"{crop} should return shape {expected}, got {_describe(result)}; cut the window from the "
                   "height and width axes in RandomCrop.__call__")
        expect(key in windows,
               f"each crop of {crop} with no zeros should equal padded[:, top:top + {size}, left:left + {size}] "
               f"of the image padded with {padding} zero(s) on every side of height and width (shape "
               f"{padded.shape}) for some top in 0..{padded.shape[1] - size} and left in "
               f"0..{padded.shape[2] - size}, but crop {call + 1} matches no such window; pad with zeros on both "
               "sides (np.pad, mode 'constant') and cut one window inside the padded image in RandomCrop.__call__")


def _ringed_image(draw):
    """A 4 x 4 image: a ring of zeros around 4 distinct positive values drawn from ``draw``.

    Its edge is zero, so zero and edge padding give the same padded image: the
    offset check below judges positions only, not the padding values.  Every
    3 x 3 window of it padded by 1 holds an inner pixel, so its content tells
    its offset.
    """
    image = np.zeros((4, 4))
    image[1:3, 1:3] = _image(draw, (2, 2))
    return image


@pytest.mark.points(2)
def test_every_offset_is_reachable_and_uniform(observe):
    """Over 1000 crops (4 x 4 image, padding 1, size 3) each of the 4 x 4 offsets comes up about equally often."""
    image = _ringed_image(observe.draw)
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
    draw = observe.draw
    chw, hwc = _sides(draw, 2, 5), _sides(draw, 2, 5)
    if draw.random() < 0.5:
        chw = chw[::-1]
    if draw.random() < 0.5:
        hwc = hwc[::-1]
    side = draw.randint(2, 4)
    cases = [((draw.randint(1, 3), *chw), {}, draw.randint(1, 3), (1, 2)),
             ((side, side), {}, draw.randint(1, 2), (0, 1)),
             ((*hwc, draw.randint(1, 3)), {"layout": "HWC"}, draw.randint(1, 2), (0, 1))]
    images = [_image(draw, shape) for shape, _, _, _ in cases]
    expecteds = [_zero_pad(image, padding, axes) for image, (_, _, padding, axes) in zip(images, cases)]
    # the size of the padded image: an int when it is square, else (height, width)
    sizes = [(expected.shape[axes[0]], expected.shape[axes[1]]) for expected, (_, _, _, axes) in zip(expecteds, cases)]
    sizes = [size[0] if size[0] == size[1] else size for size in sizes]
    results = observe("random_crop.crops",
                      cases=[_case(image, size, padding, layout_args)
                             for image, (_, layout_args, padding, _), size in zip(images, cases, sizes)])
    for (shape, layout_args, padding, axes), size, expected, result in zip(cases, sizes, expecteds, results,
                                                                           strict=True):
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
    draw = observe.draw
    chw, hwc, side = _sides(draw, 2, 6), _sides(draw, 2, 6), draw.randint(2, 5)
    if draw.random() < 0.5:
        chw = chw[::-1]
    if draw.random() < 0.5:
        hwc = hwc[::-1]
    # the size of the image: (height, width), or an int for the square one
    cases = [((draw.randint(1, 3), *chw), {}, chw), ((side, side), {}, side),
             ((*hwc, draw.randint(1, 3)), {"layout": "HWC"}, hwc)]
    images = [_image(draw, shape) for shape, _, _ in cases]
    results = observe("random_crop.crops", cases=[_case(image, size, 0, layout_args)
                                                  for image, (_, layout_args, size) in zip(images, cases)])
    # Returning the image is right here, and also what code that does nothing returns:
    # the points count only with a smaller crop of the same image that has the crop's shape.
    smaller = (draw.randint(1, chw[0] - 1), draw.randint(1, chw[1] - 1))
    expected = (images[0].shape[0], *smaller)
    got = observe("random_crop.crops", cases=[_case(images[0], smaller, 0, {})])
    expect(_shape(got[0]) == expected,
           f"RandomCrop({smaller}, padding=0) on a {images[0].shape} image should return shape {expected}, got "
           f"{_describe(got[0])}; cut the window in RandomCrop.__call__")
    for (shape, layout_args, size), image, result in zip(cases, images, results, strict=True):
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
    draw = observe.draw
    # Four-digit sizes, all different: a message that lists every small number does not name them.
    while True:
        height, width = _sides(draw, 5, 15)
        if draw.random() < 0.5:
            height, width = width, height
        padding = draw.randint(500, 1400)
        padded = (height + 2 * padding, width + 2 * padding)
        size = (padded[0] + draw.randint(1, 150), padded[1] + draw.randint(1, 150))
        if len({*size, *padded}) == 4:
            break
    image = _image(draw, (1, height, width), "uint8", high=256)
    outcome = observe("random_crop.oversized_message", image=image.tolist(), dtype=image.dtype.name,
                      padding=padding, size=list(size))
    crop = f"RandomCrop({size}, padding={padding})"
    info = expect_raised(outcome, "ValueError",
                         f"{crop} on a {image.shape} image, padded to {padded[0]} x {padded[1]}, should "
                         "raise ValueError; compare the crop with the padded size in RandomCrop.__call__")
    message = whole_message(info)
    missing_crop = [n for n in size if not names_number(message, n)]
    missing_padded = [n for n in padded if not names_number(message, n)]
    expect(not missing_crop and not missing_padded,
           f"the ValueError of {crop} on a {height} x {width} image should name the crop size "
           f"{size} and the padded image size {padded}, but its message {message_of(info)} lacks "
           f"{', '.join(str(n) for n in missing_crop + missing_padded)}; put both sizes in the message in "
           "RandomCrop.__call__")
