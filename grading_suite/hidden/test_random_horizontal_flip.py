"""Part 4, RandomHorizontalFlip (10 points): mirrors the width axis with probability p, keeps types.

The hidden cases of this cell; its public checks, shipped to students, are in
``public/test_random_horizontal_flip.py`` and count toward the same points.

Images (shapes and distinct values) and seeds are drawn from ``observe.draw``."""

import numpy as np
import pytest

from grading_suite.public.checks import (array_of, binomial_tolerance, expect, expect_raised, kind, type_with_article,
                                         unstacked)
from grading_suite.public.test_random_horizontal_flip import (AXIS_CALLS, _array, _changed, _check_mirrors, _image,
                                                            _results, _sent, _shape)

pytestmark = pytest.mark.transforms

TYPE_CALLS = 8  # calls per dtype and type, flipped or not
STAT_CALLS = 2000  # calls for the statistical checks of p
SEED_CALLS = 40  # calls compared between equally seeded flips: an unseeded pair agrees with chance 2**-40
FALSE_FAILURE = 1e-7  # chance that a correct implementation fails a statistical check
HWC_NAMES = ("height", "width", "channel")
HW_NAMES = ("height", "width")


def _decision_image(draw) -> np.ndarray:
    """A small drawn CHW image (2 or 3 entries on every axis) whose changes count the flips."""
    return _image(draw, (draw.randint(2, 3), draw.randint(2, 3), draw.randint(2, 3)))


def _seed(draw) -> int:
    """A drawn int seed for RandomHorizontalFlip(..., seed=...)."""
    return draw.randrange(1, 2**31)


def _reordered(description, image) -> bool:
    """Whether a described result holds the image's values in another order (a flip along any axis)."""
    array = _array(description)
    return (array is not None and array.shape == image.shape and not np.array_equal(array, image)
            and np.array_equal(np.sort(array, axis=None), np.sort(image, axis=None)))


def _flip_decisions(results, image, calls) -> list:
    """For each described result of a call on ``image``, whether it changed the image."""
    decisions = [_changed(result, image) for result in unstacked(results)]
    expect(len(decisions) == calls, f"the probe saw {len(decisions)} results instead of {calls}")
    return decisions


def _count_flips(observe, p):
    """How many of STAT_CALLS calls of RandomHorizontalFlip(p) changed a small drawn CHW
    image, how many are expected (p * STAT_CALLS), and the tolerance around that.

    The image has at least 2 entries on every axis and distinct values, so reversing any
    axis counts as a flip: these counts measure only how often it flips.
    """
    image = _decision_image(observe.draw)
    seen = observe("random_horizontal_flip.flip_calls", p=p, image=_sent(image), calls=STAT_CALLS)
    changed = sum(_flip_decisions(_results(seen), image, STAT_CALLS))
    return changed, p * STAT_CALLS, binomial_tolerance(STAT_CALLS, p, FALSE_FAILURE)


@pytest.mark.points(1)
def test_flip_hwc_reverses_axis_1(observe):
    """With layout="HWC" an (H, W, C) image, when flipped, is mirrored along axis 1 (width) only."""
    image = _image(observe.draw, _shape(observe.draw, "HWC"))
    _check_mirrors(observe, "RandomHorizontalFlip(p=0.5, layout='HWC')", image, "(H, W, C)", HWC_NAMES, 1,
                   layout="HWC")


@pytest.mark.points(1)
def test_flip_hw_reverses_last_axis(observe):
    """A 2-D (H, W) image, when flipped, is mirrored along its last axis, whatever the layout."""
    for layout in ("CHW", "HWC"):
        call = f"RandomHorizontalFlip(p=0.5, layout={layout!r})"
        image = _image(observe.draw, _shape(observe.draw, "HW"))
        _check_mirrors(observe, call, image, "(H, W)", HW_NAMES, 1, layout=layout)


@pytest.mark.points(1)
def test_p_half_flips_about_half_the_time(observe):
    """With p=0.5 about half of 2000 calls flip."""
    changed, expected, tolerance = _count_flips(observe, 0.5)
    expect(abs(changed - expected) < tolerance,
           f"RandomHorizontalFlip(p=0.5) should flip about {expected:.0f} of {STAT_CALLS} images "
           f"(within {tolerance:.0f}), but it flipped {changed}; flip when a uniform draw u in [0, 1) "
           "satisfies u < p in RandomHorizontalFlip.__call__")


@pytest.mark.points(1)
def test_p_one_fifth_flips_a_fifth_of_the_time(observe):
    """With p=0.2 about a fifth of 2000 calls flip (not half, not four fifths)."""
    changed, expected, tolerance = _count_flips(observe, 0.2)
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
def test_flip_keeps_type_and_dtype(observe):
    """A Tensor in gives a Tensor out, an ndarray gives an ndarray, and the dtype is kept, flipped or not."""
    dtypes = ["uint8", "float32", "float64", "int64"]
    images = {dtype: _image(observe.draw, _shape(observe.draw, "CHW"), dtype) for dtype in dtypes}
    seen = observe("random_horizontal_flip.kept_types", images=[_sent(images[dtype]) for dtype in dtypes],
                   calls=TYPE_CALLS)
    expected_groups = [(dtype, wrap) for dtype in dtypes for wrap in ("ndarray", "Tensor")]
    expect([(group["dtype"], group["wrap"]) for group in seen] == expected_groups,
           "the probe did not see every dtype and input type")
    # Types and dtypes count only for a flip that changes something (whichever axis it
    # reverses): a correct one leaves all 64 calls unchanged with chance 2**-64.
    expect(any(_reordered(result, images[group["dtype"]]) for group in seen
               for result in unstacked(group["results"])),
           f"RandomHorizontalFlip(p=0.5) returned the image unchanged in all {len(seen) * TYPE_CALLS} calls, so "
           "its types and dtypes cannot be judged; flip when a uniform draw is below p in "
           "RandomHorizontalFlip.__call__")
    for group in seen:
        dtype, wrap = group["dtype"], group["wrap"]
        kind_name = "an ndarray" if wrap == "ndarray" else "a Tensor"
        results = unstacked(group["results"])
        expect(len(results) == TYPE_CALLS, f"the probe saw {len(results)} results instead of {TYPE_CALLS}")
        for result in results:
            if not (type(result) is dict and result.get("type") == wrap and kind(result) == wrap):
                expect(False,
                       f"RandomHorizontalFlip(p=0.5) given {kind_name} of {dtype} should return {kind_name}, "
                       f"got {type_with_article(result)}; wrap the result with _like_input in "
                       "RandomHorizontalFlip.__call__")
            array = array_of(result)
            got = result.get("dtype") if array is None else array.dtype
            if array is None or array.dtype != np.dtype(dtype):
                expect(False,
                       f"RandomHorizontalFlip(p=0.5) given {kind_name} of {dtype} should keep the dtype "
                       f"{dtype}, got {got}; do not convert the array in RandomHorizontalFlip.__call__")


@pytest.mark.points(1)
def test_flip_does_not_modify_input(observe):
    """Flipping returns a new image and leaves the input array or Tensor unchanged."""
    image = _image(observe.draw, _shape(observe.draw, "CHW"))
    seen = observe("random_horizontal_flip.inputs_after_calls", image=_sent(image), calls=AXIS_CALLS)
    expect(len(seen) == AXIS_CALLS, f"the probe saw {len(seen)} calls instead of {AXIS_CALLS}")
    expect(any(_reordered(inputs.get("result"), image) for inputs in seen),
           f"RandomHorizontalFlip(p=0.5) returned a {image.shape} image unchanged in all {AXIS_CALLS} calls (a "
           "correct flip does so with chance 2**-40), so leaving the input alone proves nothing; return a flipped "
           "copy in RandomHorizontalFlip.__call__")
    for inputs in seen:
        if not np.array_equal(inputs["ndarray"], image):
            expect(False,
                   "RandomHorizontalFlip(p=0.5) should leave the ndarray it was given unchanged, but the input "
                   "was modified in place; return a flipped copy (np.flip, then np.ascontiguousarray) in "
                   "RandomHorizontalFlip.__call__")
        tensor_data = array_of(inputs["tensor"])
        if tensor_data is None or not np.array_equal(tensor_data, image):
            expect(False,
                   "RandomHorizontalFlip(p=0.5) should leave the Tensor it was given unchanged, but its data was "
                   "modified in place; return a flipped copy in RandomHorizontalFlip.__call__")


@pytest.mark.points(1)
def test_same_seed_gives_same_flips(observe):
    """Two flips built with the same seed (an int, or equal Generators) flip on the same calls."""
    int_seed, generator_seed = _seed(observe.draw), _seed(observe.draw)
    for label, seed, generator in ((f"seed={int_seed}", int_seed, False),
                                   (f"seed=np.random.default_rng({generator_seed})", generator_seed, True)):
        image = _image(observe.draw, _shape(observe.draw, "CHW"))
        seen = observe("random_horizontal_flip.seeded_pair", image=_sent(image), calls=SEED_CALLS, seed=seed,
                       generator=generator)
        first = _flip_decisions(seen["first"], image, SEED_CALLS)
        second = _flip_decisions(seen["second"], image, SEED_CALLS)
        expect(0 < sum(first) < SEED_CALLS,
               f"RandomHorizontalFlip(p=0.5, {label}) should flip some of {SEED_CALLS} calls and not others, "
               f"but it flipped {sum(first)}; flip when self._generator.random() < self.p in "
               "RandomHorizontalFlip.__call__")
        expect(first == second,
               f"two RandomHorizontalFlip(p=0.5, {label}) should flip on the same calls, but of {SEED_CALLS} "
               f"calls they differ on {sum(a != b for a, b in zip(first, second))}; draw from "
               "self._generator.random(), the random source built from seed, in RandomHorizontalFlip.__call__")


@pytest.mark.points(1)
def test_p_outside_unit_interval_raises_value_error(observe):
    """RandomHorizontalFlip(p) raises ValueError for p just below 0, just above 1, and an integer above 1."""
    draw = observe.draw
    for bad_p in (-round(draw.uniform(0.001, 0.5), 3), round(1 + draw.uniform(0.001, 0.5), 3), draw.randint(2, 100)):
        expect_raised(observe("random_horizontal_flip.construct", p=bad_p), "ValueError",
                      f"RandomHorizontalFlip(p={bad_p}) should raise ValueError because p must be in [0, 1]; "
                      "check p in RandomHorizontalFlip.__init__")
