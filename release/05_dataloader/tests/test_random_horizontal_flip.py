"""Public checks of the notebook test cell ``test_random_horizontal_flip`` (Part 4, RandomHorizontalFlip).

These are a few of the tests that grade this cell; more hidden tests run at
grading time, so passing these does not guarantee full points."""

import numpy as np
import pytest

from tinytorch.core.tensor import Tensor

from .support import as_array, expect, type_with_article

pytestmark = pytest.mark.transforms

EXACT_CALLS = 300  # calls for p=0 and p=1, which must hold every time
AXIS_CALLS = 40  # calls with p=0.5 when checking the axis: none flips with chance 2**-40
CHW_NAMES = ("channel", "height", "width")


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
