"""Judging helpers of ``test_random_crop.py``: the zero-padded image, every window of it keyed
by its bytes (so a crop's content tells its offset), the test images, and the cases of the
window property (its Hypothesis strategy and the edge cases added to it).

Plain data in, expected values and messages out; nothing here calls student code."""

import math

import numpy as np
from hypothesis import strategies as st

from grading_suite.public.checks import unstacked
from grading_suite.public.test_random_crop import _array, _image, _shape, _sides


def _zero_pad(image, padding, axes):
    widths = [(0, 0)] * image.ndim
    for axis in axes:
        widths[axis] = (padding, padding)
    return np.pad(image, widths, mode="constant", constant_values=0)


def _windows(padded, size, axes, distinct: bool = True):
    """Every window of ``size`` in ``padded`` along ``axes``, keyed by its bytes -> (top, left).

    With ``distinct`` (the default) the test image must make every window hold image
    pixels of distinct values, so each window's content tells its offset.
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
    if distinct and len(windows) != count:
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


# One example of the window property: an image of a drawn form and size (1 to 7 per side,
# rarely square), a padding from 0 to 3, a crop of any size that fits the padded image
# (an int when it is square, else a (height, width) pair), a dtype and an input type.
_WINDOW_DTYPES = ("uint8", "int32", "int64", "float32", "float64")


@st.composite
def _window_example(draw):
    form = draw(st.sampled_from(("CHW", "CHW default", "HWC", "HW", "HW as HWC")))
    height, width = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    padding = draw(st.integers(0, 3))
    crop_height = draw(st.integers(1, height + 2 * padding))
    crop_width = draw(st.integers(1, width + 2 * padding))
    return {"form": form, "sides": (height, width), "padding": padding, "crop": (crop_height, crop_width),
            "channels": draw(st.integers(1, 3)), "dtype": draw(st.sampled_from(_WINDOW_DTYPES)),
            "wrap": draw(st.sampled_from(("ndarray", "Tensor"))), "values": draw(st.integers(0, 2**32 - 1))}


_FORMS = {"CHW": ({"layout": "CHW"}, (1, 2), "(C, H, W)"), "CHW default": ({}, (1, 2), "(C, H, W)"),
          "HWC": ({"layout": "HWC"}, (0, 1), "(H, W, C)"), "HW": ({}, (0, 1), "(H, W)"),
          "HW as HWC": ({"layout": "HWC"}, (0, 1), "(H, W)")}


def _window_case(example) -> dict:
    """The image, the crop's arguments and the expected shape of one window example."""
    layout_args, axes, kind_name = _FORMS[example["form"]]
    height, width = example["sides"]
    channels = example["channels"]
    shape = {(1, 2): (channels, height, width), (0, 1): (height, width, channels)}[axes]
    if kind_name == "(H, W)":
        shape = (height, width)
    crop_height, crop_width = example["crop"]
    expected = list(shape)
    expected[axes[0]], expected[axes[1]] = crop_height, crop_width
    size = crop_height if crop_height == crop_width else (crop_height, crop_width)
    values = np.random.default_rng(example["values"]).permutation(np.arange(1, 256))[:math.prod(shape)]
    image = values.reshape(shape).astype(example["dtype"])  # distinct and positive: no pixel looks like padding
    return {"image": image, "size": size, "padding": example["padding"], "layout_args": layout_args, "axes": axes,
            "kind_name": kind_name, "expected": tuple(expected), "wrap": example["wrap"]}


def _edge_cases(draw) -> list[dict]:
    """Crops with padding 0 as large as the image, whose only window is the image itself
    (CHW, HW and HWC, never square), as cases of the window property."""
    cases = []
    for form in ("CHW default", "HW", "HWC"):
        height, width = _sides(draw, 2, 6)
        if draw.random() < 0.5:
            height, width = width, height
        cases.append(_window_case({"form": form, "sides": (height, width), "padding": 0, "crop": (height, width),
                                   "channels": draw.randint(1, 3), "dtype": draw.choice(_WINDOW_DTYPES),
                                   "wrap": draw.choice(("ndarray", "Tensor")), "values": draw.getrandbits(32)}))
    return cases


def expected_window(shape, axes) -> tuple[int, int]:
    """The (height, width) of a crop of ``shape`` whose height and width are ``axes``."""
    return shape[axes[0]], shape[axes[1]]


def _ringed_image(draw, height: int, width: int):
    """A height x width image: a ring of zeros around distinct positive values drawn from ``draw``.

    Its edge is zero, so zero and edge padding give the same padded image: the
    offset check below judges positions only, not the padding values.  With
    padding 1 and a crop of at least 3 x 3, every window holds an inner pixel,
    so its content tells its offset.
    """
    image = np.zeros((height, width))
    image[1:-1, 1:-1] = _image(draw, (height - 2, width - 2))
    return image
