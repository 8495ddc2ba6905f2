"""Public checks of the notebook test cell ``test_random_crop`` (Part 4, RandomCrop).

These are a few of the tests that grade this cell; more hidden tests run at
grading time, so passing these does not guarantee full points.

The inputs (image sizes and values, crop sizes, padding) are drawn from
``observe.draw``: your own run always draws the same ones, the grader draws
others.  The images are never square, so a height compared with the width
(or the other way round) shows, and their values are distinct and positive."""

import numpy as np
import pytest

from .checks import array_of, expect, expect_raised, kind, raised, returned, type_with_article
from .observe import describe_raised

pytestmark = pytest.mark.transforms


def _image(draw, shape, dtype="float64", high=10**6) -> np.ndarray:
    """An image of ``shape`` holding distinct values drawn from 1 .. high - 1: it holds no zeros."""
    size = int(np.prod(shape))
    return np.array(draw.sample(range(1, high), size), dtype=dtype).reshape(shape)


def _sides(draw, low: int, high: int) -> tuple[int, int]:
    """Two different sides (short, long) drawn from low .. high."""
    short, long = sorted(draw.sample(range(low, high + 1), 2))
    return short, long


def _channels(draw, *avoid: int) -> int:
    """A channel count from 1 .. 6 that equals none of ``avoid`` (the sides of the image and
    of the crop), so a crop cut from the channel axis cannot have the right shape by chance."""
    return draw.choice([channels for channels in range(1, 7) if channels not in avoid])


def _shape_case(draw, form: str, crop: str, layout_args: dict | None = None) -> tuple:
    """One drawn case (shape, layout_args, size, padding, expected shape) for ``_check_crop_shapes``.

    ``form`` is "CHW", "HW" or "HWC"; ``crop`` is "square" (an int size on a wide image),
    "wide" (a (height, width) size, height < width, on a wide image) or "tall" (a crop taller
    than the padded width on a tall image, so a height checked against the width shows).
    Every crop fits in the image even without its padding.
    """
    padding = draw.randint(1, 2)
    if crop == "tall":
        width = draw.randint(2, 5)
        height = width + 2 * padding + draw.randint(1, 3)
        size = (draw.randint(width + 2 * padding + 1, height), draw.randint(1, width))
    else:
        height, width = _sides(draw, 3, 8)
        if crop == "square":
            size = draw.randint(2, height)
        else:
            crop_width = draw.randint(2, width)
            size = (draw.randint(1, min(height, crop_width - 1)), crop_width)
    crop_height, crop_width = (size, size) if isinstance(size, int) else size
    channels = _channels(draw, height, width, crop_height, crop_width)
    shape, expected = {"CHW": ((channels, height, width), (channels, crop_height, crop_width)),
                       "HW": ((height, width), (crop_height, crop_width)),
                       "HWC": ((height, width, channels), (crop_height, crop_width, channels))}[form]
    if layout_args is None:
        layout_args = {"layout": "HWC"} if form == "HWC" else {}
    return shape, layout_args, size, padding, expected


def _case(image: np.ndarray, size, padding: int, layout_args: dict) -> dict:
    """The arguments of one crop for the probe ``random_crop.crops``."""
    return {"image": image.tolist(), "dtype": image.dtype.name,
            "size": list(size) if isinstance(size, tuple) else size, "padding": padding, **layout_args}


def _as_array_description(description) -> dict:
    """The description of ``as_array(result)``: the result's own for a Tensor or ndarray."""
    if kind(description) in ("Tensor", "ndarray"):
        return description
    return (description.get("as_array") if type(description) is dict else None) or {}


def _shape(description):
    """The shape of ``as_array(result)`` as a tuple, or None when it has none."""
    shape = _as_array_description(description).get("shape")
    return tuple(shape) if type(shape) is list else None


def _array(description):
    """The values of ``as_array(result)``, or None when they did not come."""
    return array_of(_as_array_description(description))


def _describe(description) -> str:
    if kind(description) not in ("Tensor", "ndarray"):
        return type_with_article(description)
    return f"{type_with_article(description)} of shape {_shape(description)}"


def _call(size, padding, layout_args) -> str:
    """The crop as the test builds it, e.g. "RandomCrop((3, 5), padding=1, layout='HWC')"."""
    arguments = [repr(size), f"padding={padding}"] + [f"layout={v!r}" for v in layout_args.values()]
    return f"RandomCrop({', '.join(arguments)})"


def _check_crop_shapes(observe, cases, advice):
    """For each case (shape, layout_args, size, padding, expected shape), crop a drawn image of
    ``shape``: the result must have the expected shape, else fail with ``advice``."""
    results = observe("random_crop.crops",
                      cases=[_case(_image(observe.draw, shape), size, padding, layout_args)
                             for shape, layout_args, size, padding, _ in cases])
    for (shape, layout_args, size, padding, expected), result in zip(cases, results, strict=True):
        if len(shape) == 2:
            image_kind = "(H, W)"
        else:
            image_kind = "(H, W, C)" if layout_args.get("layout") == "HWC" else "(C, H, W)"
        expect(_shape(result) == expected,
               f"{_call(size, padding, layout_args)} on a {shape} {image_kind} image should return shape "
               f"{expected}, got {_describe(result)}; {advice}")


@pytest.mark.points(1)
def test_crop_shape_chw(observe, draw):
    """On (C, H, W) images the result is (C, h, w), for an int size and a (height, width) size."""
    cases = [_shape_case(draw, "CHW", "square"), _shape_case(draw, "CHW", "wide"), _shape_case(draw, "CHW", "tall")]
    _check_crop_shapes(observe, cases,
                       "keep the channels and cut (height, width) = size from axes 1 and 2 in RandomCrop.__call__")


@pytest.mark.points(1)
def test_oversized_crop_raises_value_error(observe, draw):
    """A crop taller or wider than the padded image raises ValueError when called."""
    height, width = _sides(draw, 3, 7)
    if draw.random() < 0.5:
        height, width = width, height
    padding = draw.randint(1, 2)
    image = _image(draw, (draw.randint(1, 3), height, width))
    padded_height, padded_width = height + 2 * padding, width + 2 * padding
    too_tall = (padded_height + draw.choice((1, 1, 2, 3)), draw.randint(1, padded_width))
    too_wide = (draw.randint(1, padded_height), padded_width + draw.choice((1, 1, 2, 3)))
    too_both = (padded_height + draw.randint(1, 3), padded_width + draw.randint(1, 3))
    # A crop that fits, at a drawn place among them: raising for every size does not pass.
    fitting = (draw.randint(1, height), draw.randint(1, width))
    sizes = [too_tall, too_wide, too_both]
    sizes.insert(draw.randint(0, len(sizes)), fitting)
    outcomes = observe("random_crop.oversized", image=image.tolist(), dtype=image.dtype.name, padding=padding,
                       sizes=[list(size) for size in sizes])
    where = f"on a {image.shape} image, padded to {padded_height} x {padded_width},"
    for size, outcome in zip(sizes, outcomes, strict=True):
        if size == fitting:
            expected = (image.shape[0], *size)
            info = raised(outcome)
            got = describe_raised(info) if info else f"got {_describe(returned(outcome) or {})}"
            expect(info is None and _shape(returned(outcome)) == expected,
                   f"RandomCrop({size}, padding={padding}) {where} should return a crop of shape {expected}, "
                   f"since it fits (this test counts only when crops that fit are cut), but {got}; raise "
                   "ValueError in RandomCrop.__call__ only when the crop is larger than the padded image")
        else:
            expect_raised(outcome, "ValueError",
                          f"RandomCrop({size}, padding={padding}) {where} should raise ValueError because the "
                          "crop does not fit; compare the crop with the padded size in RandomCrop.__call__")
