"""Hidden probes of the notebook test cell ``test_random_crop`` (Part 4, RandomCrop)."""

import re

import numpy as np

from grading_suite.public.probes import probe
from grading_suite.public.probes.random_crop import make_crop, picture, seen
from grading_suite.public.probes.support import exception_info, plain, stacked
from tinytorch.core.tensor import Tensor

MAX_NUMBERS = 200


@probe
def typed_crops(student, image, dtypes: list, size, padding: int):
    """One RandomCrop(size, padding) called, for each dtype, on the image as an
    ndarray then as a Tensor of that dtype: [[ndarray result, Tensor result], ...]."""
    crop = make_crop(student, size, padding)
    results = []
    for dtype in dtypes:
        array = picture(image, dtype)
        results.append([seen(crop(wrap(array.copy()))) for wrap in (np.asarray, Tensor)])
    return results


@probe
def repeated_crops(student, image, dtype: str, size, padding: int, calls: int, fresh: bool):
    """One RandomCrop(size, padding) called ``calls`` times on the image (a fresh
    copy each time, or the same array when ``fresh`` is false); every result."""
    crop = make_crop(student, size, padding)
    array = picture(image, dtype)
    return stacked([seen(crop(array.copy() if fresh else array)) for _ in range(calls)])


@probe
def oversized_message(student, image, dtype: str, padding: int, size):
    """RandomCrop(size, padding) called on the image: what it returned, or what it
    raised with every run of digits in the whole message (the message itself is cut)."""
    crop = make_crop(student, size, padding)
    try:
        result = crop(picture(image, dtype))
    except Exception as error:  # noqa: BLE001 - the observation is what was raised
        try:
            message = str(error)
            numbers = re.findall(r"\d+", message if type(message) is str else "")[:MAX_NUMBERS]
        except Exception:  # noqa: BLE001 - a student __str__ may raise
            numbers = []
        return {"raised": exception_info(error), "numbers": numbers}
    return {"returned": plain(result)}
