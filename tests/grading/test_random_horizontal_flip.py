"""Part 4, RandomHorizontalFlip (10 points): mirrors the width axis with probability p, keeps types."""

import numpy as np
import pytest

from tests.grading.support import as_array, binomial_tolerance, expect, expect_raises, type_with_article
from tinytorch.core.tensor import Tensor

pytestmark = pytest.mark.transforms

EXACT_CALLS = 300  # calls for p=0 and p=1, which must hold every time
AXIS_CALLS = 40  # calls with p=0.5 when checking the axis: none flips with chance 2**-40
TYPE_CALLS = 8  # calls per dtype and type, flipped or not
STAT_CALLS = 2000  # calls for the statistical checks of p
SEED_CALLS = 40  # calls compared between equally seeded flips: an unseeded pair agrees with chance 2**-40
FALSE_FAILURE = 1e-7  # chance that a correct implementation fails a statistical check

CHW_NAMES = ("channel", "height", "width")
HWC_NAMES = ("height", "width", "channel")
HW_NAMES = ("height", "width")


def _image(shape, dtype=np.float32):
    """An image of distinct values 1, 2, ...: reversing any one of its axes changes it."""
    return (np.arange(int(np.prod(shape))) + 1).reshape(shape).astype(dtype)


def _same(result, expected) -> bool:
    array = as_array(result)
    return array.shape == expected.shape and np.array_equal(array, expected)


def _describe(result, image, names) -> str:
    """Say what ``result`` is, relative to ``image`` whose axes are called ``names``."""
    if not isinstance(result, (np.ndarray, Tensor)):
        return type_with_article(result)
    array = as_array(result)
    if array.shape != image.shape:
        return f"an array of shape {array.shape}"
    if np.array_equal(array, image):
        return "the image unchanged"
    for axis, name in enumerate(names):
        if np.array_equal(array, np.flip(image, axis=axis)):
            return f"the image with its {name} axis (axis {axis}) reversed"
    return "an array that is not the image reversed along one axis"


def _count_flips(RandomHorizontalFlip, p):
    """How many of STAT_CALLS calls of RandomHorizontalFlip(p) changed a small CHW
    image, how many are expected (p * STAT_CALLS), and the tolerance around that.

    The image has 2 entries on every axis and distinct values, so reversing any
    axis counts as a flip: these counts measure only how often it flips.
    """
    changed = sum(_flip_decisions(RandomHorizontalFlip(p=p), STAT_CALLS))
    return changed, p * STAT_CALLS, binomial_tolerance(STAT_CALLS, p, FALSE_FAILURE)


def _flip_decisions(flip, calls):
    """For each of ``calls`` calls of ``flip``, whether it changed a small CHW image."""
    image = _image((2, 2, 3))
    return [not np.array_equal(as_array(flip(image.copy())), image) for _ in range(calls)]


def _check_mirrors(flip, call, image, kind, names, width_axis):
    """Call ``flip`` (p=0.5) AXIS_CALLS times: each result must be ``image`` unchanged or
    mirrored along ``width_axis``, and at least one must be mirrored.

    With p=0.5 the draw decides only whether to flip, so these checks judge the
    axis whether the draw is compared the right way round or not.
    """
    mirrored = np.flip(image, axis=width_axis)
    flips = 0
    for _ in range(AXIS_CALLS):
        result = flip(image.copy())
        if _same(result, mirrored):
            flips += 1
        elif not _same(result, image):
            expect(False,
                   f"{call} on a {image.shape} {kind} image should return it unchanged or with its width axis "
                   f"(axis {width_axis}) reversed, got {_describe(result, image, names)}; flip along the width "
                   "axis that _image_axes gives for self.layout in RandomHorizontalFlip.__call__")
    expect(flips > 0,
           f"{call} on a {image.shape} {kind} image should flip about half of {AXIS_CALLS} calls, but it never "
           "flipped; flip when a uniform draw u in [0, 1) satisfies u < self.p in RandomHorizontalFlip.__call__")


@pytest.mark.points(1)
def test_flip_chw_reverses_width_axis(RandomHorizontalFlip):
    """A (C, H, W) image, when flipped, is mirrored along its last (width) axis only."""
    image = _image((2, 3, 4))
    _check_mirrors(RandomHorizontalFlip(p=0.5), "RandomHorizontalFlip(p=0.5)", image, "(C, H, W)", CHW_NAMES, 2)
    _check_mirrors(RandomHorizontalFlip(p=0.5, layout="CHW"), "RandomHorizontalFlip(p=0.5, layout='CHW')",
                   image, "(C, H, W)", CHW_NAMES, 2)


@pytest.mark.points(1)
def test_flip_hwc_reverses_axis_1(RandomHorizontalFlip):
    """With layout="HWC" an (H, W, C) image, when flipped, is mirrored along axis 1 (width) only."""
    _check_mirrors(RandomHorizontalFlip(p=0.5, layout="HWC"), "RandomHorizontalFlip(p=0.5, layout='HWC')",
                   _image((3, 4, 2)), "(H, W, C)", HWC_NAMES, 1)


@pytest.mark.points(1)
def test_flip_hw_reverses_last_axis(RandomHorizontalFlip):
    """A 2-D (H, W) image, when flipped, is mirrored along its last axis, whatever the layout."""
    for layout in ("CHW", "HWC"):
        call = f"RandomHorizontalFlip(p=0.5, layout={layout!r})"
        _check_mirrors(RandomHorizontalFlip(p=0.5, layout=layout), call, _image((3, 4)), "(H, W)", HW_NAMES, 1)


def _make(RandomHorizontalFlip, p):
    try:
        return RandomHorizontalFlip(p=p)
    except ValueError as error:
        expect(False, f"RandomHorizontalFlip(p={p}) should be accepted ({p} is a valid probability), "
                      f"but it raised ValueError: {error}; accept 0 <= p <= 1 in RandomHorizontalFlip.__init__")


@pytest.mark.points(1)
def test_p_zero_and_one_are_exact(RandomHorizontalFlip):
    """p=0 and p=1 are accepted; over many calls p=0 never flips and p=1 always flips."""
    image = _image((2, 3, 4))
    never = _make(RandomHorizontalFlip, 0.0)
    for call in range(EXACT_CALLS):
        result = never(image.copy())
        if not _same(result, image):
            expect(False,
                   f"RandomHorizontalFlip(p=0.0) should never change the image, but call {call + 1} of "
                   f"{EXACT_CALLS} returned {_describe(result, image, CHW_NAMES)}; flip only when a uniform draw "
                   "u in [0, 1) satisfies u < p in RandomHorizontalFlip.__call__")
    always = _make(RandomHorizontalFlip, 1.0)
    for call in range(EXACT_CALLS):
        result = always(image.copy())
        array = as_array(result)
        if array.shape != image.shape or np.array_equal(array, image):
            expect(False,
                   f"RandomHorizontalFlip(p=1.0) should flip on every call, but call {call + 1} of {EXACT_CALLS} "
                   f"returned {_describe(result, image, CHW_NAMES)}; flip when a uniform draw u in [0, 1) "
                   "satisfies u < p in RandomHorizontalFlip.__call__")


@pytest.mark.points(1)
def test_p_half_flips_about_half_the_time(RandomHorizontalFlip):
    """With p=0.5 about half of 2000 calls flip."""
    changed, expected, tolerance = _count_flips(RandomHorizontalFlip, 0.5)
    expect(abs(changed - expected) < tolerance,
           f"RandomHorizontalFlip(p=0.5) should flip about {expected:.0f} of {STAT_CALLS} images "
           f"(within {tolerance:.0f}), but it flipped {changed}; flip when a uniform draw u in [0, 1) "
           "satisfies u < p in RandomHorizontalFlip.__call__")


@pytest.mark.points(1)
def test_p_one_fifth_flips_a_fifth_of_the_time(RandomHorizontalFlip):
    """With p=0.2 about a fifth of 2000 calls flip (not half, not four fifths)."""
    changed, expected, tolerance = _count_flips(RandomHorizontalFlip, 0.2)
    hint = ""
    if abs(changed - 0.8 * STAT_CALLS) < tolerance:
        hint = " (that is 1 - p: the comparison looks inverted)"
    elif abs(changed - 0.5 * STAT_CALLS) < tolerance:
        hint = " (that is one half: p looks ignored)"
    expect(abs(changed - expected) < tolerance,
           f"RandomHorizontalFlip(p=0.2) should flip about {expected:.0f} of {STAT_CALLS} images "
           f"(within {tolerance:.0f}), but it flipped {changed}{hint}; flip when a uniform draw u in [0, 1) "
           "satisfies u < self.p in RandomHorizontalFlip.__call__")


@pytest.mark.points(1)
def test_flip_keeps_type_and_dtype(RandomHorizontalFlip):
    """A Tensor in gives a Tensor out, an ndarray gives an ndarray, and the dtype is kept, flipped or not."""
    flip = RandomHorizontalFlip(p=0.5)
    for dtype in (np.uint8, np.float32, np.float64, np.int64):
        image = _image((2, 3, 4), dtype)
        for wrap, kind, kind_type in ((np.asarray, "an ndarray", np.ndarray), (Tensor, "a Tensor", Tensor)):
            for _ in range(TYPE_CALLS):
                result = flip(wrap(image.copy()))
                if type(result) is not kind_type:
                    expect(False,
                           f"RandomHorizontalFlip(p=0.5) given {kind} of {dtype.__name__} should return {kind}, "
                           f"got {type_with_article(result)}; wrap the result with _like_input in "
                           "RandomHorizontalFlip.__call__")
                if as_array(result).dtype != np.dtype(dtype):
                    expect(False,
                           f"RandomHorizontalFlip(p=0.5) given {kind} of {dtype.__name__} should keep the dtype "
                           f"{dtype.__name__}, got {as_array(result).dtype}; do not convert the array in "
                           "RandomHorizontalFlip.__call__")


@pytest.mark.points(1)
def test_flip_does_not_modify_input(RandomHorizontalFlip):
    """Flipping returns a new image and leaves the input array or Tensor unchanged."""
    image = _image((2, 3, 4))
    flip = RandomHorizontalFlip(p=0.5)
    for _ in range(AXIS_CALLS):
        given = image.copy()
        flip(given)
        if not np.array_equal(given, image):
            expect(False,
                   "RandomHorizontalFlip(p=0.5) should leave the ndarray it was given unchanged, but the input "
                   "was modified in place; return a flipped copy (np.flip, then np.ascontiguousarray) in "
                   "RandomHorizontalFlip.__call__")
        tensor = Tensor(image.copy())
        flip(tensor)
        if not np.array_equal(tensor.data, image):
            expect(False,
                   "RandomHorizontalFlip(p=0.5) should leave the Tensor it was given unchanged, but its data was "
                   "modified in place; return a flipped copy in RandomHorizontalFlip.__call__")


@pytest.mark.points(1)
def test_same_seed_gives_same_flips(RandomHorizontalFlip):
    """Two flips built with the same seed (an int, or equal Generators) flip on the same calls."""
    for label, make_seed in (("seed=7", lambda: 7),
                             ("seed=np.random.default_rng(11)", lambda: np.random.default_rng(11))):
        first = _flip_decisions(RandomHorizontalFlip(p=0.5, seed=make_seed()), SEED_CALLS)
        second = _flip_decisions(RandomHorizontalFlip(p=0.5, seed=make_seed()), SEED_CALLS)
        expect(0 < sum(first) < SEED_CALLS,
               f"RandomHorizontalFlip(p=0.5, {label}) should flip some of {SEED_CALLS} calls and not others, "
               f"but it flipped {sum(first)}; flip when self._generator.random() < self.p in "
               "RandomHorizontalFlip.__call__")
        expect(first == second,
               f"two RandomHorizontalFlip(p=0.5, {label}) should flip on the same calls, but of {SEED_CALLS} "
               f"calls they differ on {sum(a != b for a, b in zip(first, second))}; draw from "
               "self._generator.random(), the random source built from seed, in RandomHorizontalFlip.__call__")


@pytest.mark.points(1)
def test_p_outside_unit_interval_raises_value_error(RandomHorizontalFlip):
    """RandomHorizontalFlip(p) raises ValueError for p = -0.1, 1.01 and 2."""
    for bad_p in (-0.1, 1.01, 2):
        expect_raises(ValueError, lambda: RandomHorizontalFlip(p=bad_p),
                      f"RandomHorizontalFlip(p={bad_p}) should raise ValueError because p must be in [0, 1]; "
                      "check p in RandomHorizontalFlip.__init__")
