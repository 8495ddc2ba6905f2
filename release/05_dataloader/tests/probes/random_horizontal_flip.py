"""Probes of the notebook test cell ``test_random_horizontal_flip`` (Part 4, RandomHorizontalFlip)."""

import numpy as np

from tinytorch.core.tensor import Tensor

from . import probe
from .codec import DTYPES
from .support import describe, exception_info, stacked


def image(shape, dtype="float32") -> np.ndarray:
    """An image of distinct values 1, 2, ...: reversing any one of its axes changes it."""
    shape = tuple(int(n) for n in shape)
    return (np.arange(int(np.prod(shape))) + 1).reshape(shape).astype(np.dtype(dtype))


def observed(result) -> dict:
    """``describe(result)``; for a result that is neither a Tensor nor an ndarray,
    also its NumPy form under ``"array"`` when it has a numeric one (the checks
    compare ``np.asarray(result)`` with the expected image)."""
    description = describe(result)
    if description["kind"] not in ("Tensor", "ndarray"):
        try:
            array = np.asarray(result)
        except Exception:  # noqa: BLE001 - no NumPy form: the description says what it is
            array = None
        if isinstance(array, np.ndarray) and array.dtype.name in DTYPES:
            description["array"] = np.array(array, copy=True)
    return description


def build(student, p, layout=None, seed=None):
    """RandomHorizontalFlip(p=p), with ``layout`` and ``seed`` passed only when given."""
    RandomHorizontalFlip = student.require("RandomHorizontalFlip")
    options = {} if layout is None else {"layout": layout}
    if seed is not None:
        options["seed"] = seed
    return RandomHorizontalFlip(p=p, **options)


def call_many(flip, shape, calls: int, dtype="float32", wrap="ndarray") -> list:
    """What ``flip`` returned for each of ``calls`` calls on a fresh copy of ``image(shape, dtype)``."""
    source = image(shape, dtype)
    wrapper = Tensor if wrap == "Tensor" else np.asarray
    return stacked([observed(flip(wrapper(source.copy()))) for _ in range(calls)])


@probe
def flip_calls(student, p, shape: list, calls: int, layout=None):
    """Build RandomHorizontalFlip(p=p[, layout=layout]) and call it ``calls`` times on
    ``image(shape)``: ``{"results": [description, ...]}``, or ``{"value_error": info}``
    when the constructor raised ValueError."""
    try:
        flip = build(student, p, layout)
    except ValueError as error:
        return {"value_error": exception_info(error)}
    return {"results": call_many(flip, shape, calls)}
