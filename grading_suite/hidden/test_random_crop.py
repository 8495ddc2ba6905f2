"""Part 4, RandomCrop (10 points): zero padding, a window of the right size, uniform offsets, errors.

The hidden cases of this cell; its public checks, shipped to students, are in
``public/test_random_crop.py`` and count toward the same points.

Every test draws its inputs from ``observe.draw`` (image sizes and distinct values,
crop sizes, padding, the order of dtypes), so no table of answers for fixed inputs
passes; the expected crops and the windows an offset can give are computed here
from the drawn inputs (Hypothesis, seeded from ``observe.draw``, proposes the cases of
the window property).

Statistics: every check that a correct crop could fail by chance says in its docstring how
likely that is (at most 1e-7 each); the offset check names the biases it catches and its
power, which ``tests/test_power_transforms.py`` measures on implementations carrying them."""

import numpy as np
import pytest

from grading_suite.hidden.judging_crop import (_crops, _edge_cases, _key, _ringed_image, _window_case, _window_example,
                                            _windows, _zero_pad, expected_window)
from grading_suite.hidden.judging_transforms import SEED_MODES, SEED_SOURCES, seeded_label
from grading_suite.hidden.properties import check_property
from grading_suite.public.checks import (binomial_tolerance, expect, expect_raised, kind, message_of, names_number,
                                         unstacked, whole_message)
from grading_suite.public.test_random_crop import (_array, _as_array_description, _call, _case, _channels,
                                                   _check_crop_shapes, _describe, _image, _shape, _shape_case, _sides)

pytestmark = pytest.mark.transforms

FALSE_FAILURE = 1e-7  # chance that a correct implementation fails a statistical check
WINDOW_EXAMPLES = 8  # Hypothesis examples of the window property (3 edge cases are added)
WINDOW_REPEATS = 3  # crops per example of the window property
OFFSET_CALLS = 1000
SEED_CALLS = 30  # crops compared between equally seeded crops


@pytest.mark.points(1)
def test_crop_shape_hw_and_hwc(observe, draw):
    """On (H, W) images the result is (h, w); with layout="HWC" on (H, W, C) images it is (h, w, C)."""
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
def test_crop_keeps_type_and_dtype(observe, draw):
    """A Tensor in gives a Tensor out, an ndarray gives an ndarray, and the dtype is kept."""
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
    """Property: for drawn images ((C, H, W), (H, W, C) or (H, W), sides 1 to 7, rarely square),
    paddings 0 to 3, crop sizes from 1 up to the padded sides (an int or a (height, width)
    pair), dtypes and input types, every crop has the requested shape, keeps the dtype and
    equals a window of the image padded with zeros on both sides of height and width.
    Crops with padding 0 as large as the image must return the image itself.

    Exact: no false failures (every valid window is accepted)."""
    examples = []
    check_property(observe, _window_example(), examples.append, examples=WINDOW_EXAMPLES)
    cases = [_window_case(example) for example in examples] + _edge_cases(observe.draw)
    seen = observe("random_crop.window_crops", calls=WINDOW_REPEATS,
                   cases=[{**_case(case["image"], case["size"], case["padding"], case["layout_args"]),
                           "wrap": case["wrap"]} for case in cases])
    expect(len(seen) == len(cases), f"the probe saw {len(seen)} images instead of {len(cases)}")
    for case, results in zip(cases, seen):
        image, padding, expected = case["image"], case["padding"], case["expected"]
        crop = f"{_call(case['size'], padding, case['layout_args'])} on a {image.shape} {case['kind_name']} image"
        given = f"{'an ndarray' if case['wrap'] == 'ndarray' else 'a Tensor'} of {image.dtype.name}"
        padded = _zero_pad(image, padding, case["axes"])
        windows = _windows(padded, expected_window(expected, case["axes"]), case["axes"], distinct=False)
        results = unstacked(results)
        expect(len(results) == WINDOW_REPEATS, f"the probe saw {len(results)} crops instead of {WINDOW_REPEATS}")
        for result in results:
            expect(_shape(result) == expected,
                   f"{crop} ({given}) should return shape {expected}, got {_describe(result)}; cut "
                   "(height, width) = size from the axes that _image_axes gives for self.layout in "
                   "RandomCrop.__call__")
            dtype = _as_array_description(result).get("dtype")
            expect(dtype == image.dtype.name,
                   f"{crop} ({given}) should keep the dtype {image.dtype.name}, got {dtype}; pad with np.pad (or a "
                   "zero buffer of the image's dtype) in RandomCrop.__call__")
            if padding == 0 and expected == image.shape:
                array = _array(result)
                expect(array is not None and np.array_equal(array, image),
                       f"{crop} should return the image unchanged (with padding 0 the only offset is (0, 0)), got "
                       f"{_describe(result)} with other values; see RandomCrop.__call__")
            expect(_key(result, expected, image.dtype) in windows,
                   f"each crop of {crop} should equal a window of the image padded with {padding} zero(s) on both "
                   f"sides of height and width (shape {padded.shape}), but one matches no such window; pad with "
                   "zeros on both sides (np.pad, mode 'constant') and cut one window inside the padded image in "
                   "RandomCrop.__call__")


# (crop height, crop width, tops, lefts) with padding 1: the image is never square, the crop
# never square, the two offset ranges differ and one of them has 3 positions.  So bounds taken
# from the wrong side (of the image or of the crop) change a range, and rounding u * range
# (which halves the end positions) shows on the 3-position axis.
_OFFSET_GEOMETRIES = ((3, 4, 3, 4), (3, 4, 3, 5), (3, 4, 5, 3), (4, 3, 3, 5), (4, 3, 4, 3), (4, 3, 5, 3))


@pytest.mark.points(1)
def test_every_offset_is_reachable_and_uniform(observe, draw):
    """Over 1000 crops of a non-square image (padding 1, a non-square crop) each top offset,
    each left offset and each (top, left) pair comes up about equally often.

    False failure: at most 1e-7 in all (Bernstein's inequality, ``checks.binomial_tolerance``,
    with a Bonferroni split: half of 1e-7 over the tops and lefts, half over the pairs).
    Named biases, with their power (measured by tests/test_power_transforms.py): the last
    offset never drawn, one offset always drawn, top and left equal, bounds taken from the
    wrong side of the image or the crop: power 1 - 1e-12 or better (a count of 0 where about
    250 or more are due, or a crop outside the padded image); end offsets drawn half as often
    (rounding u * range): the middle top or left comes about 500 times where 333 are due,
    67 above the tolerance of 100, about 4.2 standard deviations: power above 0.9999."""
    crop_height, crop_width, tops, lefts = draw.choice(_OFFSET_GEOMETRIES)
    padding = 1
    height, width = crop_height + tops - 3, crop_width + lefts - 3
    image = _ringed_image(draw, height, width)
    padded = _zero_pad(image, padding, (0, 1))
    windows = _windows(padded, (crop_height, crop_width), (0, 1))
    counts = np.zeros((tops, lefts), dtype=int)
    size = (crop_height, crop_width)
    crop = f"RandomCrop({size}, padding=1) on a {height} x {width} image"
    results = _crops(observe, image, list(size), padding, OFFSET_CALLS, fresh=False)
    expect(len(results) == OFFSET_CALLS, f"expected {OFFSET_CALLS} crops, got {len(results)}")
    for call, result in enumerate(results):
        offset = windows.get(_key(result, size, image.dtype))
        if offset is None:
            expect(False,
                   f"{crop} should return a {crop_height} x {crop_width} window of the zero-padded "
                   f"{height + 2} x {width + 2} image, but crop {call + 1} ({_describe(result)}) is no such window; "
                   "pad both sides of height and width, and draw top below padded height - crop height + 1 and "
                   "left below padded width - crop width + 1, in RandomCrop.__call__")
        counts[offset] += 1

    for name, totals, positions, span in (("top", counts.sum(axis=1), tops, f"{height + 2} - {crop_height}"),
                                          ("left", counts.sum(axis=0), lefts, f"{width + 2} - {crop_width}")):
        tolerance = binomial_tolerance(OFFSET_CALLS, 1 / positions, FALSE_FAILURE / (2 * (tops + lefts)))
        expected = OFFSET_CALLS / positions
        for offset, count in enumerate(totals):
            expect(abs(count - expected) < tolerance,
                   f"{crop} should start the crop at each {name} offset 0..{positions - 1} about {expected:.0f} "
                   f"times in {OFFSET_CALLS} crops (within {tolerance:.0f}), but {name} = {offset} came {count} "
                   f"times (counts by {name}: {totals.tolist()}); draw {name} uniformly from 0 .. {span} "
                   "(padded size - crop size, of the same side) inclusive, anew on each call, in RandomCrop.__call__")
    cell_tolerance = binomial_tolerance(OFFSET_CALLS, 1 / (tops * lefts), FALSE_FAILURE / (2 * tops * lefts))
    expected = OFFSET_CALLS / (tops * lefts)
    for (top, left), count in np.ndenumerate(counts):
        expect(abs(count - expected) < cell_tolerance,
               f"{crop} should give each of the {tops * lefts} (top, left) offsets about {expected:.0f} times in "
               f"{OFFSET_CALLS} crops (within {cell_tolerance:.0f}), but ({top}, {left}) came {count} times; draw "
               "top and left independently, each uniform over its range, in RandomCrop.__call__")


LAST_OFFSET_CALLS = {"one step": 40, "small crop": 150}


@pytest.mark.points(1)
def test_last_offset_is_reached_on_each_axis(observe, draw):
    """Both end offsets, 0 and padded size - crop size, come up on each axis: for a crop one
    pixel smaller than the image on both sides (2 offsets each; the range 0 .. 1 is odd-sized,
    where a bound rounded to an even number loses the last offset), and for a non-square crop
    at most half the image on both sides (up to 7 offsets each).

    False failure: 4 * 2**-40 + 4 * (6/7)**150, below 1e-9 (an end offset missed in every call).
    Named biases: the last offset never drawn, a range computed from the wrong quantity
    (e.g. padded size % crop size): caught whenever they apply to the drawn sizes, which here
    is always."""
    crop_height, crop_width = _sides(draw, 2, 5)
    if draw.random() < 0.5:
        crop_height, crop_width = crop_width, crop_height
    small_height, small_width = _sides(draw, 2, 3)
    if draw.random() < 0.5:
        small_height, small_width = small_width, small_height
    cases = {"one step": ((crop_height + 1, crop_width + 1), (crop_height, crop_width)),
             "small crop": ((2 * small_height + draw.randint(0, 6 - small_height),
                             2 * small_width + draw.randint(0, 6 - small_width)), (small_height, small_width))}
    for name, (shape, size) in cases.items():
        image = _image(draw, shape)
        windows = _windows(image, size, (0, 1))
        calls = LAST_OFFSET_CALLS[name]
        crop = f"RandomCrop({size}, padding=0) on a {shape[0]} x {shape[1]} image"
        results = _crops(observe, image, list(size), 0, calls, fresh=True)
        expect(len(results) == calls, f"expected {calls} crops, got {len(results)}")
        offsets = []
        for result in results:
            offset = windows.get(_key(result, size, image.dtype))
            expect(offset is not None,
                   f"{crop} should return a {size[0]} x {size[1]} window of the image, got {_describe(result)}; "
                   "cut (height, width) = size at offsets inside the padded image in RandomCrop.__call__")
            offsets.append(offset)
        for axis, side in enumerate(("top", "left")):
            last = shape[axis] - size[axis]
            seen_offsets = sorted({offset[axis] for offset in offsets})
            expect(0 in seen_offsets and last in seen_offsets,
                   f"{crop} should start the crop at every {side} offset 0..{last} ({shape[axis]} - {size[axis]}), "
                   f"the ends included, but {calls} crops gave only {side} = {seen_offsets}; draw {side} from 0 to "
                   f"padded size - crop size inclusive (the upper bound of _random_integer is excluded) in "
                   "RandomCrop.__call__")


@pytest.mark.points(1)
def test_full_size_crop_is_the_zero_padded_image(observe, draw):
    """A crop as large as the padded image is the image with `padding` zeros on every side of height and width."""
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
def test_same_seed_gives_same_crops(observe, draw):
    """Two crops built with the same seed (an int, or equal Generators) cut the same windows,
    call after call, and so do two crops without a seed built after the same ``np.random.seed``.

    False failure: only if a correct crop cuts the same window in all 30 calls for one of the
    three seeds: at most 3 * 4**-29 (at least 4 windows each)."""
    for mode in SEED_MODES:
        seed = draw.randrange(1, 2**31)
        height, width = _sides(draw, 3, 7)
        if draw.random() < 0.5:
            height, width = width, height
        padding = draw.randint(1, 2)
        size = (draw.randint(2, height), draw.randint(2, width))
        image = _image(draw, (_channels(draw, height, width, *size), height, width))
        label = seeded_label(f"RandomCrop({size}, padding={padding}", seed, mode)
        seen = observe("random_crop.seeded_crops", image=image.tolist(), dtype=image.dtype.name, size=list(size),
                       padding=padding, calls=SEED_CALLS, seed=seed, mode=mode)
        expected = (image.shape[0], *size)
        runs = {name: [_key(result, expected, image.dtype) for result in unstacked(seen[name])]
                for name in ("first", "second")}
        for name, keys in runs.items():
            expect(len(keys) == SEED_CALLS and None not in keys,
                   f"{label} should return {SEED_CALLS} crops of shape {expected} on a {image.shape} image; cut "
                   "(height, width) = size from the height and width axes in RandomCrop.__call__")
        expect(len(set(runs["first"])) > 1,
               f"{label} cut the same window in all {SEED_CALLS} calls; draw top and left anew on each call with "
               "_random_integer(self._generator, ...) in RandomCrop.__call__")
        expect(runs["first"] == runs["second"],
               f"two {label} should cut the same windows call after call, but of {SEED_CALLS} calls they differ "
               f"on {sum(a != b for a, b in zip(runs['first'], runs['second']))}; draw top and left from "
               f"self._generator ({SEED_SOURCES[mode]}) with _random_integer in RandomCrop.__call__")


@pytest.mark.points(1)
def test_oversized_crop_message_names_both_sizes(observe, draw):
    """A crop taller than the padded image, one wider, and one both: each raises ValueError
    whose message names the crop size and the padded image size."""
    for too_big in ("height", "width", "both"):
        # Four-digit sizes, all different: a message that lists every small number does not name them.
        while True:
            height, width = _sides(draw, 5, 15)
            if draw.random() < 0.5:
                height, width = width, height
            padding = draw.randint(500, 1400)
            padded = (height + 2 * padding, width + 2 * padding)
            size = (padded[0] + (draw.randint(1, 150) if too_big != "width" else -draw.randint(1, 150)),
                    padded[1] + (draw.randint(1, 150) if too_big != "height" else -draw.randint(1, 150)))
            if len({*size, *padded}) == 4:
                break
        image = _image(draw, (1, height, width), "uint8", high=256)
        outcome = observe("random_crop.oversized_message", image=image.tolist(), dtype=image.dtype.name,
                          padding=padding, size=list(size))
        crop = f"RandomCrop({size}, padding={padding})"
        sides = {"height": "taller than", "width": "wider than", "both": "larger than"}[too_big]
        info = expect_raised(outcome, "ValueError",
                             f"{crop} on a {image.shape} image is {sides} the padded image ({padded[0]} x "
                             f"{padded[1]}) and should raise ValueError; compare each side of the crop with the "
                             "padded size in RandomCrop.__call__")
        message = whole_message(info)
        missing_crop = [n for n in size if not names_number(message, n)]
        missing_padded = [n for n in padded if not names_number(message, n)]
        expect(not missing_crop and not missing_padded,
               f"the ValueError of {crop} on a {height} x {width} image should name the crop size "
               f"{size} and the padded image size {padded}, but its message {message_of(info)} lacks "
               f"{', '.join(str(n) for n in missing_crop + missing_padded)}; put both sizes in the message in "
               "RandomCrop.__call__")
