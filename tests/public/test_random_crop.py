"""Public checks of the notebook test cell ``test_random_crop`` (Part 4, RandomCrop).

These are a few of the tests that grade this cell; more hidden tests run at
grading time, so passing these does not guarantee full points."""

import numpy as np
import pytest

from tinytorch.core.tensor import Tensor

from .support import as_array, expect, expect_raises, type_with_article

pytestmark = pytest.mark.transforms


def _image(shape, dtype=np.float64):
    """An image of distinct positive values 1, 2, ...: it holds no zeros."""
    return (np.arange(int(np.prod(shape))) + 1).reshape(shape).astype(dtype)


def _describe(result) -> str:
    if not isinstance(result, (np.ndarray, Tensor)):
        return type_with_article(result)
    return f"{type_with_article(result)} of shape {as_array(result).shape}"


def _call(size, padding, layout_args) -> str:
    """The crop as the test builds it, e.g. "RandomCrop((3, 5), padding=1, layout='HWC')"."""
    arguments = [repr(size), f"padding={padding}"] + [f"layout={v!r}" for v in layout_args.values()]
    return f"RandomCrop({', '.join(arguments)})"


def _check_crop_shapes(RandomCrop, cases, advice):
    """For each case (shape, layout_args, size, padding, expected shape), crop an image of
    ``shape``: the result must have the expected shape, else fail with ``advice``."""
    for shape, layout_args, size, padding, expected in cases:
        result = RandomCrop(size, padding=padding, **layout_args)(_image(shape))
        if len(shape) == 2:
            kind = "(H, W)"
        else:
            kind = "(H, W, C)" if layout_args.get("layout") == "HWC" else "(C, H, W)"
        expect(as_array(result).shape == expected,
               f"{_call(size, padding, layout_args)} on a {shape} {kind} image should return shape {expected}, "
               f"got {_describe(result)}; {advice}")


@pytest.mark.points(1)
def test_crop_shape_chw(RandomCrop):
    """On (C, H, W) images the result is (C, h, w), for an int size and a (height, width) size."""
    cases = [((3, 5, 6), {}, 4, 1, (3, 4, 4)),
             ((2, 5, 6), {}, (3, 5), 1, (2, 3, 5)),
             ((2, 6, 5), {}, (6, 2), 1, (2, 6, 2))]
    _check_crop_shapes(RandomCrop, cases,
                       "keep the channels and cut (height, width) = size from axes 1 and 2 in RandomCrop.__call__")


@pytest.mark.points(1)
def test_oversized_crop_raises_value_error(RandomCrop):
    """A crop taller or wider than the padded image raises ValueError when called."""
    image = _image((2, 5, 6))  # padded by 1: 7 x 8
    for size in ((8, 3), (3, 9), (9, 10)):
        crop = RandomCrop(size, padding=1)
        expect_raises(ValueError, lambda: crop(image.copy()),
                      f"RandomCrop({size}, padding=1) on a (2, 5, 6) image, padded to 7 x 8, should raise "
                      "ValueError because the crop does not fit; compare the crop with the padded size in "
                      "RandomCrop.__call__")
