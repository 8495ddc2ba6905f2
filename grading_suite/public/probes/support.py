"""Helpers of the probes: describe what student code returned or raised as
plain data, and build datasets that do not depend on student code.

Descriptions (``describe``) are dicts:

    {"type": "Tensor", "kind": "Tensor", "dtype": "float32", "shape": [2, 3], "data": <ndarray or None>}
    {"type": "ndarray", "kind": "ndarray", ...same fields}
    {"type": "tuple", "kind": "tuple", "items": [<description>, ...]}     (lists: kind "list")
    {"type": "int", "kind": "scalar", "value": 3}                         (int, float, bool, str, None)
    {"type": "Foo", "kind": "other"}

``type`` is the exact class name; ``kind`` says which family it belongs to
(a subclass of Tensor has kind "Tensor").  ``data`` is None when the array's
dtype cannot be sent (object arrays, strings).
"""

from __future__ import annotations

import tracemalloc

import numpy as np

from tinytorch.core.tensor import Tensor

from .codec import DTYPES

try:  # the instructor repository and the grader's sandbox
    from grader.grading.student_code import MissingName, current, student_location
except ImportError:  # the student template ships grader/grading/student_code.py as tests/notebook_code.py
    from ..notebook_code import MissingName, current, student_location  # type: ignore[no-redef]

MAX_ITEMS = 4096  # items of a list or tuple described
MAX_TEXT = 200   # characters of a message or repr kept
MAX_MESSAGE = 2000  # characters of an exception message sent whole, for checks of what it names
MESSAGE_PIECE = 100  # the judge cuts each string at 120 characters: whole messages travel in pieces


def text(value, limit: int = MAX_TEXT) -> str:
    """``str(value)``, cut to ``limit`` characters (default MAX_TEXT); never raises."""
    try:
        result = str(value)
        if type(result) is not str:
            raise TypeError("__str__ did not return a str")
    except Exception as error:  # noqa: BLE001 - student __str__ may raise anything
        return f"<str() raised {type(error).__name__}>"
    return result[:limit]


def _array_fields(array: np.ndarray) -> dict:
    array = np.asarray(array)
    fields = {"dtype": str(array.dtype), "shape": list(array.shape)}
    fields["data"] = np.array(array, copy=True) if array.dtype.name in DTYPES else None
    return fields


def describe(value, depth: int = 0) -> dict:
    """A plain-data description of ``value`` (see the module docstring)."""
    name = type(value).__name__[:60]
    if isinstance(value, Tensor):
        data = object.__getattribute__(value, "data") if hasattr(value, "data") else None
        if isinstance(data, np.ndarray):
            return {"type": name, "kind": "Tensor", **_array_fields(data)}
        return {"type": name, "kind": "Tensor", "dtype": None, "shape": None, "data": None}
    if isinstance(value, np.ndarray):
        return {"type": name, "kind": "ndarray", **_array_fields(value)}
    if isinstance(value, (tuple, list)) and depth < 8:
        kind = "tuple" if isinstance(value, tuple) else "list"
        items = [describe(item, depth + 1) for item in list(value)[:MAX_ITEMS]]
        return {"type": name, "kind": kind, "items": items}
    if value is None or type(value) in (bool, int, float, str):
        return {"type": name, "kind": "scalar", "value": value[:MAX_TEXT] if type(value) is str else value}
    if isinstance(value, np.generic) and value.dtype.name in DTYPES:
        return {"type": name, "kind": "scalar", "value": value.item()}
    return {"type": name, "kind": "other"}


def exception_info(error: BaseException) -> dict:
    """What an exception says: its class, the built-in exception classes it
    derives from, its message (``message`` for display; ``message_pieces``, the
    first MAX_MESSAGE characters in pieces, for checks of what it names: see
    ``checks.whole_message``) and the student's line that raised it."""
    builtin = [cls.__name__ for cls in type(error).__mro__ if cls.__module__ == "builtins"]
    whole = text(error, MAX_MESSAGE)
    return {"type": type(error).__name__[:60], "builtin": builtin, "message": whole[:MAX_TEXT],
            "message_pieces": [whole[start:start + MESSAGE_PIECE] for start in range(0, len(whole), MESSAGE_PIECE)],
            "where": student_location(error.__traceback__) or ""}


def attempt(action, *args, **kwargs) -> dict:
    """Call ``action``; return ``{"returned": plain(result)}`` or
    ``{"raised": exception_info(error)}`` (any ``Exception``)."""
    try:
        result = action(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - the observation is what was raised
        return {"raised": exception_info(error)}
    return {"returned": plain(result)}


def as_array(value) -> np.ndarray:
    """The NumPy data of a Tensor, ndarray or array-like (inside a probe)."""
    if isinstance(value, Tensor):
        return value.data
    return np.asarray(value)


def batch_parts(batch) -> list:
    """The elements of a batch as a list (batches are tuples; lists accepted)."""
    if isinstance(batch, (tuple, list)):
        return list(batch)
    return [batch]


def batch_ids(batch) -> list[int]:
    """The sample ids in a batch of an ``ids_dataset``, as a list of ints."""
    return [int(value) for value in as_array(batch_parts(batch)[0]).reshape(-1)]


def dataset_base(student) -> type:
    """The student's ``Dataset`` when it is a usable class, else ``object``."""
    try:
        base = student.require("Dataset")
    except Exception:  # noqa: BLE001 - a missing or broken Dataset: use object
        return object
    return base if isinstance(base, type) else object


def make_dataset(student, *arrays: np.ndarray):
    """A map-style dataset over ``arrays`` (sample i = tuple of Tensor(array[i])),
    subclassing the student's Dataset when usable; ``.fetched`` lists every
    index asked for."""

    class ArrayDataset(dataset_base(student)):
        def __init__(self):
            self.arrays = arrays
            self.tensors = tuple(Tensor(a) for a in arrays)
            self.fetched = []

        def __len__(self):
            return len(arrays[0])

        def __getitem__(self, index):
            self.fetched.append(int(index))
            return tuple(Tensor(a[index]) for a in arrays)

    ArrayDataset.__name__ = "ArrayDataset"
    return ArrayDataset()


def ids_dataset(student, size: int, ids: list | None = None):
    """Sample i is (Tensor([ids[i]]),) with dtype int64 (``ids`` defaults to
    0 .. size - 1), so a batch tells which samples it holds."""
    values = np.arange(size, dtype=np.int64) if ids is None else np.array(ids, dtype=np.int64)
    return make_dataset(student, values.reshape(size, 1))


def plain(value):
    """``value`` itself when it is a Python scalar (int, float, bool, str, None), else ``describe(value)``."""
    if value is None or type(value) in (bool, int, float):
        return value
    if type(value) is str:
        return value[:MAX_TEXT]
    return describe(value)


def peak_bytes(action) -> int:
    """Run ``action()`` and return the peak of new memory it allocated (bytes, measured by tracemalloc)."""
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        baseline = tracemalloc.get_traced_memory()[0]
        action()
        return int(tracemalloc.get_traced_memory()[1] - baseline)
    finally:
        if not was_tracing:
            tracemalloc.stop()


def stacked(descriptions: list):
    """Many descriptions in a compact form: when all are arrays or Tensors of one
    type, dtype and shape with their data, ``{"stacked": <common fields>, "data":
    <array of all their data>}`` (one array instead of thousands of small ones);
    otherwise the list itself.  ``checks.unstacked`` gives the list back."""
    first = descriptions[0] if descriptions else None
    if not first or first.get("kind") not in ("Tensor", "ndarray") or first.get("data") is None:
        return descriptions
    common = {key: value for key, value in first.items() if key != "data"}
    same = all({key: value for key, value in d.items() if key != "data"} == common and d.get("data") is not None
               for d in descriptions)
    return {"stacked": common, "data": np.stack([d["data"] for d in descriptions])} if same else descriptions
