"""Hidden probes of the notebook test cell ``test_random_crop`` (Part 4, RandomCrop)."""

import numpy as np

from grading_suite.public.probes import probe
from grading_suite.public.probes.random_crop import make_crop, picture, seen
from grading_suite.public.probes.support import attempt, stacked
from tinytorch.core.tensor import Tensor


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
    """RandomCrop(size, padding) called on the image: what it returned or raised."""
    crop = make_crop(student, size, padding)
    return attempt(crop, picture(image, dtype))
