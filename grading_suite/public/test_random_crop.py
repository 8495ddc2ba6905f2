"""Public checks of the notebook test cell ``test_random_crop`` (Part 4, RandomCrop).

These are a few of the tests that grade this cell; more hidden tests run at
grading time, so passing these does not guarantee full points."""

import numpy as np
import pytest

from .checks import array_of, expect, expect_raised, kind, type_with_article

pytestmark = pytest.mark.transforms


def _image(shape, dtype="float64") -> np.ndarray:
    """An image of distinct positive values 1, 2, ...: it holds no zeros."""
    return (np.arange(int(np.prod(shape))) + 1).reshape(shape).astype(dtype)


def _case(image: np.ndarray, size, padding: int, layout_args: dict) -> dict:
    """The arguments of one crop for the probe ``random_crop.crops``."""
    return {"image": image.tolist(), "dtype": image.dtype.name,
            "size": list(size) if isinstance(size, tuple) else size, "padding": padding, **layout_args}


def _as_array_description(description) -> dict:
    """The description of ``as_array(result)``: the result's own for a Tensor or ndarray."""
    if kind(description) in ("Tensor", "ndarray"):
        return description
    return description.get("as_array") or {}


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
    """For each case (shape, layout_args, size, padding, expected shape), crop an image of
    ``shape``: the result must have the expected shape, else fail with ``advice``."""
    results = observe("random_crop.crops",
                      cases=[_case(_image(shape), size, padding, layout_args)
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
def test_crop_shape_chw(observe):
    """On (C, H, W) images the result is (C, h, w), for an int size and a (height, width) size."""
    cases = [((3, 5, 6), {}, 4, 1, (3, 4, 4)),
             ((2, 5, 6), {}, (3, 5), 1, (2, 3, 5)),
             ((2, 6, 5), {}, (6, 2), 1, (2, 6, 2))]
    _check_crop_shapes(observe, cases,
                       "keep the channels and cut (height, width) = size from axes 1 and 2 in RandomCrop.__call__")


@pytest.mark.points(1)
def test_oversized_crop_raises_value_error(observe):
    """A crop taller or wider than the padded image raises ValueError when called."""
    image = _image((2, 5, 6))  # padded by 1: 7 x 8
    sizes = ((8, 3), (3, 9), (9, 10))
    outcomes = observe("random_crop.oversized", image=image.tolist(), dtype=image.dtype.name, padding=1,
                       sizes=[list(size) for size in sizes])
    for size, outcome in zip(sizes, outcomes, strict=True):
        expect_raised(outcome, "ValueError",
                      f"RandomCrop({size}, padding=1) on a (2, 5, 6) image, padded to 7 x 8, should raise "
                      "ValueError because the crop does not fit; compare the crop with the padded size in "
                      "RandomCrop.__call__")
