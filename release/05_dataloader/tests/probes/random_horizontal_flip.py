"""Probes of the notebook test cell ``test_random_horizontal_flip`` (Part 4, RandomHorizontalFlip).

Images come from the judgement, drawn: ``{"values": nested list, "dtype": name}``."""

import numpy as np

from tinytorch.core.tensor import Tensor

from . import probe
from .codec import DTYPES
from .support import describe, exception_info, stacked


def image_of(sent) -> np.ndarray:
    """The image a judgement sent as ``{"values": nested list, "dtype": name}``, as an ndarray."""
    return np.array(sent["values"], dtype=np.dtype(str(sent["dtype"])))


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


def call_many(flip, source: np.ndarray, calls: int, wrap="ndarray") -> list:
    """What ``flip`` returned for each of ``calls`` calls on a fresh copy of ``source``
    (an ndarray, or a Tensor of it when ``wrap="Tensor"``)."""
    wrapper = Tensor if wrap == "Tensor" else np.asarray
    return stacked([observed(flip(wrapper(source.copy()))) for _ in range(calls)])


@probe
def flip_calls(student, p, image: dict, calls: int, layout=None):
    """Build RandomHorizontalFlip(p=p[, layout=layout]) and call it ``calls`` times on
    ``image_of(image)``: ``{"results": [description, ...]}``, or ``{"value_error": info}``
    when the constructor raised ValueError."""
    try:
        flip = build(student, p, layout)
    except ValueError as error:
        return {"value_error": exception_info(error)}
    return {"results": call_many(flip, image_of(image), calls)}
