"""Part 4, RandomHorizontalFlip (10 points): mirrors the width axis with probability p, keeps types.

The hidden cases of this cell; its public checks, shipped to students, are in
``tests/public/test_random_horizontal_flip.py`` and count toward the same points."""

import numpy as np
import pytest

from tests.public.support import as_array, binomial_tolerance, expect, expect_raises, type_with_article
from tests.public.test_random_horizontal_flip import AXIS_CALLS, _check_mirrors, _image
from tinytorch.core.tensor import Tensor

pytestmark = pytest.mark.transforms

TYPE_CALLS = 8  # calls per dtype and type, flipped or not
STAT_CALLS = 2000  # calls for the statistical checks of p
SEED_CALLS = 40  # calls compared between equally seeded flips: an unseeded pair agrees with chance 2**-40
FALSE_FAILURE = 1e-7  # chance that a correct implementation fails a statistical check
HWC_NAMES = ("height", "width", "channel")
HW_NAMES = ("height", "width")


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
