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
def window_crops(student, cases: list, calls: int):
    """For each case ``{"image", "dtype", "size", "padding", "layout" (optional), "wrap"}``, a
    fresh RandomCrop called ``calls`` times on fresh copies of the image (an ndarray, or a
    Tensor when ``wrap`` is "Tensor"): what each call returned, per case."""
    results = []
    for case in cases:
        crop = make_crop(student, case["size"], case["padding"], case.get("layout"))
        wrap = Tensor if case["wrap"] == "Tensor" else np.asarray
        array = picture(case["image"], case["dtype"])
        results.append(stacked([seen(crop(wrap(array.copy()))) for _ in range(calls)]))
    return results


@probe
def repeated_crops(student, image, dtype: str, size, padding: int, calls: int, fresh: bool):
    """One RandomCrop(size, padding) called ``calls`` times on the image (a fresh
    copy each time, or the same array when ``fresh`` is false); every result."""
    crop = make_crop(student, size, padding)
    array = picture(image, dtype)
    return stacked([seen(crop(array.copy() if fresh else array)) for _ in range(calls)])


@probe
def seeded_crops(student, image, dtype: str, size, padding: int, calls: int, seed: int, mode: str):
    """Two RandomCrop(size, padding) built alike, each called ``calls`` times on copies of the
    image: ``{"first": [...], "second": [...]}``.  ``mode`` says how they are built: "int"
    passes ``seed=seed``; "generator" passes ``seed=np.random.default_rng(seed)``; "global"
    passes no seed and calls ``np.random.seed(seed)`` before building each."""
    RandomCrop = student.require("RandomCrop")
    array = picture(image, dtype)

    def make():
        if mode == "global":
            np.random.seed(seed)
            return RandomCrop(tuple(size), padding=padding)
        return RandomCrop(tuple(size), padding=padding,
                          seed=np.random.default_rng(seed) if mode == "generator" else seed)

    runs = {}
    for name in ("first", "second"):
        crop = make()
        runs[name] = stacked([seen(crop(array.copy())) for _ in range(calls)])
    return runs


@probe
def oversized_message(student, image, dtype: str, padding: int, size):
    """RandomCrop(size, padding) called on the image: what it returned or raised."""
    crop = make_crop(student, size, padding)
    return attempt(crop, picture(image, dtype))
