"""A small, provided Tensor: an n-dimensional array with a known dtype.

This is the piece of TinyTorch that earlier modules build; Module 05 only needs
it to hold data, so it wraps a NumPy array and keeps the array's dtype.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class Tensor:
    """An n-dimensional array of numbers.

    Args:
        data: an ``np.ndarray`` or NumPy scalar (its dtype is kept and an array is
            not copied), another ``Tensor`` (its array is shared), or Python
            numbers and nested lists of them.  Python floats become ``float32``,
            Python ints ``int64`` and Python bools ``bool``.
        dtype: optional dtype to convert to; default ``None`` keeps the dtype
            chosen by the rules above.

    Raises:
        TypeError: if ``data`` cannot be turned into a numeric array (for
            example a string or a ragged nested list).
    """

    __slots__ = ("data",)

    def __init__(self, data: Any, dtype: Any = None) -> None:
        if isinstance(data, Tensor):
            array = data.data
        elif isinstance(data, (np.ndarray, np.generic)):
            array = np.asarray(data)
        else:
            array = _array_from_python(data)
        if dtype is not None:
            array = array.astype(dtype, copy=False)
        if array.dtype.kind not in "biufc":
            raise TypeError(
                f"Tensor data must be numeric, got {type(data).__name__} "
                f"with dtype {array.dtype}"
            )
        self.data: np.ndarray = array

    @property
    def shape(self) -> tuple[int, ...]:
        """The size of each axis, as a tuple of ints."""
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        """The NumPy dtype of the elements."""
        return self.data.dtype

    @property
    def ndim(self) -> int:
        """The number of axes."""
        return self.data.ndim

    @property
    def size(self) -> int:
        """The total number of elements."""
        return self.data.size

    def numpy(self) -> np.ndarray:
        """Return the underlying NumPy array (shared, not copied)."""
        return self.data

    def item(self) -> Any:
        """Return the single element of a one-element tensor as a Python number."""
        return self.data.item()

    def tolist(self) -> Any:
        """Return the data as (nested) Python lists of Python numbers."""
        return self.data.tolist()

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d Tensor is undefined")
        return self.data.shape[0]

    def __getitem__(self, key: Any) -> "Tensor":
        if isinstance(key, Tensor):
            key = key.data
        return Tensor(self.data[key])

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d Tensor")
        return (Tensor(row) for row in self.data)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if dtype is None or np.dtype(dtype) == self.data.dtype:
            return self.data.copy() if copy else self.data
        return self.data.astype(dtype)

    def __repr__(self) -> str:
        if self.data.size <= 8:
            body = np.array2string(self.data, separator=", ")
        else:
            first = self.data.reshape(-1)[:4]
            body = np.array2string(first, separator=", ")[:-1] + ", ...]"
        return f"Tensor({body}, shape={self.shape}, dtype={self.dtype})"


def _array_from_python(data: Any) -> np.ndarray:
    try:
        array = np.array(data)
    except ValueError as error:  # ragged nested lists
        raise TypeError(f"Tensor data must be rectangular: {error}") from None
    if array.dtype.kind == "f":
        return array.astype(np.float32)
    if array.dtype.kind in "iu":
        return array.astype(np.int64)
    return array
