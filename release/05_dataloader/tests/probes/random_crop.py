"""Probes of the notebook test cell ``test_random_crop`` (Part 4, RandomCrop).

The judgements choose the images: an image arrives as a nested list with its
dtype name, and becomes an ndarray here."""

import numpy as np

from . import probe
from .support import describe, exception_info


def picture(image, dtype: str) -> np.ndarray:
    """The image sent by a judgement (a nested list) as an ndarray of ``dtype``."""
    return np.array(image, dtype=dtype)


def crop_size(size):
    """A size as the tests pass it: a JSON list becomes the (height, width) tuple."""
    return tuple(size) if isinstance(size, list) else size


def seen(result) -> dict:
    """``describe(result)``; when the result is no Tensor or ndarray, also
    ``"as_array"``: the description of ``np.asarray(result)`` (its shape and values)."""
    description = describe(result)
    if description["kind"] not in ("Tensor", "ndarray"):
        try:
            description["as_array"] = describe(np.asarray(result))
        except Exception:  # noqa: BLE001 - not array-like: the description says what it is
            pass
    return description


def make_crop(student, size, padding, layout=None):
    """RandomCrop(size, padding=padding[, layout=layout]) of the code under test."""
    RandomCrop = student.require("RandomCrop")
    layout_args = {} if layout is None else {"layout": layout}
    return RandomCrop(crop_size(size), padding=padding, **layout_args)


@probe
def crops(student, cases: list):
    """One crop per case ``{"image", "dtype", "size", "padding", "layout" (optional)}``:
    a fresh RandomCrop called once on a fresh copy of the image; what each returned."""
    results = []
    for case in cases:
        crop = make_crop(student, case["size"], case["padding"], case.get("layout"))
        results.append(seen(crop(picture(case["image"], case["dtype"]))))
    return results


def outcome(crop, array) -> dict:
    """``{"returned": seen(result)}`` of ``crop(array)``, or ``{"raised": exception_info(error)}``."""
    try:
        result = crop(array)
    except Exception as error:  # noqa: BLE001 - the observation is what was raised
        return {"raised": exception_info(error)}
    return {"returned": seen(result)}


@probe
def oversized(student, image, dtype: str, padding: int, sizes: list):
    """For each size, RandomCrop(size, padding=padding) called on a copy of the image:
    what each call returned (as ``seen`` describes it) or raised."""
    array = picture(image, dtype)
    outcomes = []
    for size in sizes:
        crop = make_crop(student, size, padding)
        outcomes.append(outcome(crop, array.copy()))
    return outcomes
