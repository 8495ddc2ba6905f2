"""Public checks of the notebook test cell ``test_random_horizontal_flip`` (Part 4, RandomHorizontalFlip).

These are a few of the tests that grade this cell; more hidden tests run at
grading time, so passing these does not guarantee full points.

The images (their shapes and values) are drawn from ``observe.draw``: your own
run always draws the same ones, the grader draws others.  Every image has
distinct values and at least 2 entries on every axis, so reversing any axis
changes it."""

import numpy as np
import pytest

from .checks import array_of, expect, kind, message_of, type_with_article, unstacked
from .observe import describe_raised

pytestmark = pytest.mark.transforms

EXACT_CALLS = 300  # calls for p=0 and p=1, which must hold every time
AXIS_CALLS = 40  # calls with p=0.5 when checking the axis: none flips with chance 2**-40
CHW_NAMES = ("channel", "height", "width")


def _shape(draw, layout: str) -> tuple:
    """A drawn image shape in ``layout`` ("CHW", "HWC" or "HW"): 2 to 4 channels, height and width 2 to 6."""
    sizes = {"C": draw.randint(2, 4), "H": draw.randint(2, 6), "W": draw.randint(2, 6)}
    return tuple(sizes[axis] for axis in layout)


def _image(draw, shape, dtype=np.float32) -> np.ndarray:
    """An image of ``shape`` with distinct values drawn from 0..255 (which every dtype holds):
    reversing any one of its axes changes it."""
    return np.array(draw.sample(range(256), int(np.prod(shape)))).reshape(shape).astype(dtype)


def _sent(image) -> dict:
    """``image`` in the form the probes take: ``{"values": nested list, "dtype": name}``."""
    return {"values": image.tolist(), "dtype": image.dtype.name}


def _array(description):
    """The array of a described result: a Tensor's or ndarray's data, else its NumPy form if it has one."""
    array = array_of(description)
    if array is None and type(description) is dict and isinstance(description.get("array"), np.ndarray):
        array = description["array"]
    return array


def _same(description, expected) -> bool:
    array = _array(description)
    return array is not None and array.shape == expected.shape and np.array_equal(array, expected)


def _changed(description, image) -> bool:
    """Whether a described result differs from ``image`` (anything that is not ``image`` counts)."""
    return not _same(description, image)


def _describe(description, image, names) -> str:
    """Say what a described result is, relative to ``image`` whose axes are called ``names``."""
    if kind(description) not in ("Tensor", "ndarray"):
        return type_with_article(description)
    array = _array(description)
    if array is None:
        return f"{type_with_article(description)} without numeric data"
    if array.shape != image.shape:
        return f"an array of shape {tuple(array.shape)}"
    if np.array_equal(array, image):
        return "the image unchanged"
    for axis, name in enumerate(names):
        if np.array_equal(array, np.flip(image, axis=axis)):
            return f"the image with its {name} axis (axis {axis}) reversed"
    return "an array that is not the image reversed along one axis"


def _results(seen) -> list:
    """The described results of a ``flip_calls`` observation; fails if the constructor raised ValueError."""
    if "value_error" in seen:
        expect(False, describe_raised(seen["value_error"]))
    return unstacked(seen["results"])


def _check_mirrors(observe, call, image, kind_name, names, width_axis, layout=None):
    """Call RandomHorizontalFlip(p=0.5[, layout]) AXIS_CALLS times on ``image``: each
    result must be the image unchanged or mirrored along ``width_axis``, and at least one
    must be mirrored.

    With p=0.5 the draw decides only whether to flip, so these checks judge the
    axis whether the draw is compared the right way round or not.
    """
    results = _results(observe("random_horizontal_flip.flip_calls", p=0.5, image=_sent(image),
                               calls=AXIS_CALLS, layout=layout))
    expect(len(results) == AXIS_CALLS, f"the probe saw {len(results)} results instead of {AXIS_CALLS}")
    mirrored = np.flip(image, axis=width_axis)
    flips = 0
    for result in results:
        if _same(result, mirrored):
            flips += 1
        elif not _same(result, image):
            expect(False,
                   f"{call} on a {image.shape} {kind_name} image should return it unchanged or with its width axis "
                   f"(axis {width_axis}) reversed, got {_describe(result, image, names)}; flip along the width "
                   "axis that _image_axes gives for self.layout in RandomHorizontalFlip.__call__")
    expect(flips > 0,
           f"{call} on a {image.shape} {kind_name} image should flip about half of {AXIS_CALLS} calls, but it never "
           "flipped; flip when a uniform draw u in [0, 1) satisfies u < self.p in RandomHorizontalFlip.__call__")


@pytest.mark.points(1)
def test_flip_chw_reverses_width_axis(observe, draw):
    """A (C, H, W) image, when flipped, is mirrored along its last (width) axis only.

    False failure: a correct flip fails only by never flipping in 40 calls on one of the two
    images, chance 2 * 2**-40."""
    _check_mirrors(observe, "RandomHorizontalFlip(p=0.5)", _image(draw, _shape(draw, "CHW")), "(C, H, W)",
                   CHW_NAMES, 2)
    _check_mirrors(observe, "RandomHorizontalFlip(p=0.5, layout='CHW')", _image(draw, _shape(draw, "CHW")),
                   "(C, H, W)", CHW_NAMES, 2, layout="CHW")


def _made(seen, p) -> list:
    """The results of RandomHorizontalFlip(p=p), which must accept ``p``."""
    if "value_error" in seen:
        expect(False, f"RandomHorizontalFlip(p={p}) should be accepted ({p} is a valid probability), "
                      f"but it raised ValueError: {message_of(seen['value_error'])}; accept 0 <= p <= 1 in "
                      "RandomHorizontalFlip.__init__")
    return unstacked(seen["results"])


@pytest.mark.points(1)
def test_p_zero_and_one_are_exact(observe):
    """p=0 and p=1 are accepted; over many calls p=0 never flips and p=1 always flips.

    Exact: a correct flip never fails it."""
    image = _image(observe.draw, _shape(observe.draw, "CHW"))
    never = _made(observe("random_horizontal_flip.flip_calls", p=0.0, image=_sent(image), calls=EXACT_CALLS), 0.0)
    expect(len(never) == EXACT_CALLS, f"the probe saw {len(never)} results instead of {EXACT_CALLS}")
    for call, result in enumerate(never):
        if not _same(result, image):
            expect(False,
                   f"RandomHorizontalFlip(p=0.0) should never change a {image.shape} image, but call {call + 1} of "
                   f"{EXACT_CALLS} returned {_describe(result, image, CHW_NAMES)}; flip only when a uniform draw "
                   "u in [0, 1) satisfies u < p in RandomHorizontalFlip.__call__")
    image = _image(observe.draw, _shape(observe.draw, "CHW"))
    always = _made(observe("random_horizontal_flip.flip_calls", p=1.0, image=_sent(image), calls=EXACT_CALLS), 1.0)
    expect(len(always) == EXACT_CALLS, f"the probe saw {len(always)} results instead of {EXACT_CALLS}")
    for call, result in enumerate(always):
        array = _array(result)
        if array is None or array.shape != image.shape or np.array_equal(array, image):
            expect(False,
                   f"RandomHorizontalFlip(p=1.0) should flip a {image.shape} image on every call, but call "
                   f"{call + 1} of {EXACT_CALLS} returned {_describe(result, image, CHW_NAMES)}; flip when a "
                   "uniform draw u in [0, 1) satisfies u < p in RandomHorizontalFlip.__call__")
