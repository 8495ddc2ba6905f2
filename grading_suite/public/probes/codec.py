"""The wire format between the sandboxed probes and the trusted judge.

Observations are plain data: ``None``, ``bool``, ``int``, ``float``, ``str``,
lists, tuples, dicts with string keys, and NumPy arrays of plain numeric or
boolean dtypes.  ``encode`` turns them into UTF-8 JSON; every JSON object on
the wire is a tag with exactly one key:

    {"t": [...]}                          a tuple
    {"d": [[key, value], ...]}            a dict (keys are strings)
    {"a": [dtype, shape, base64 bytes]}   an ndarray (C order, little endian)
    {"f": "nan" | "inf" | "-inf"}         a float JSON cannot hold

``decode`` is the only thing the judge ever applies to what the child sends:
it checks every tag, dtype and size and builds fresh Python and NumPy
objects, never calling code the child could have chosen (no pickle, no eval,
no object dtype).  Decoding errors raise ``WireError``.
"""

from __future__ import annotations

import base64
import json
import math

import numpy as np

# dtypes that may cross the boundary (native byte order is converted to little endian)
DTYPES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float16", "float32", "float64")
MAX_DEPTH = 40
MAX_ARRAY_BYTES = 64 << 20
MAX_ITEMS = 1_000_000  # list, tuple and dict entries in one observation


class WireError(ValueError):
    """What came over the channel is not a well-formed observation."""


class NotPlainData(TypeError):
    """A probe tried to send a value that is not plain data."""


def _within_depth(depth: int, error: type, what: str) -> None:
    """Raise ``error`` ("``what`` deeper than MAX_DEPTH levels") when ``depth`` is past MAX_DEPTH."""
    if depth > MAX_DEPTH:
        raise error(f"{what} deeper than {MAX_DEPTH} levels")


def to_wire(value, depth: int = 0):
    """The JSON-ready form of ``value`` (see the module docstring).

    Raises:
        NotPlainData: for any other type (student objects must be described
            by the probe first, e.g. with ``support.describe``).
    """
    _within_depth(depth, NotPlainData, "observation nested")
    kind = type(value)
    if value is None or kind in (bool, str, int):
        return value
    if kind is float:
        return value if math.isfinite(value) else {"f": repr(value)}
    if kind is list:
        return [to_wire(item, depth + 1) for item in value]
    if kind is tuple:
        return {"t": [to_wire(item, depth + 1) for item in value]}
    if kind is dict:
        if not all(type(key) is str for key in value):
            raise NotPlainData("observation dict keys must be strings")
        return {"d": [[key, to_wire(item, depth + 1)] for key, item in value.items()]}
    if kind is np.ndarray:
        if value.dtype.name not in DTYPES:
            raise NotPlainData(f"arrays of dtype {value.dtype} cannot be sent")
        data = np.ascontiguousarray(value).astype(value.dtype.newbyteorder("<"), copy=False)
        return {"a": [value.dtype.name, list(value.shape), base64.b64encode(data.tobytes()).decode("ascii")]}
    if isinstance(value, np.generic) and type(value).__module__ == "numpy":
        return to_wire(np.asarray(value), depth)
    raise NotPlainData(f"{kind.__name__} is not plain data")


def encode(value) -> bytes:
    """``value`` as UTF-8 JSON bytes (see ``to_wire``)."""
    return json.dumps(to_wire(value), separators=(",", ":"), allow_nan=False).encode("utf-8")


def loads(data: bytes):
    """Parse UTF-8 JSON without NaN or Infinity constants.

    Raises:
        WireError: if ``data`` is not such JSON.
    """
    try:
        return json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise WireError(f"not valid JSON: {str(error)[:80]}") from None


def decode(data: bytes, max_string: int | None = None):
    """The observation in ``data``, built afresh from checked parts.

    Args:
        max_string: longer strings are cut to this many characters plus "…"
            (default None: kept whole).

    Raises:
        WireError: if ``data`` is not UTF-8 JSON in the format above.
    """
    return from_wire(loads(data), max_string)


def _no_constant(name):
    raise WireError(f"bare {name} is not allowed")


def from_wire(raw, max_string: int | None = None, depth: int = 0, budget: list[int] | None = None):
    """Inverse of ``to_wire`` with every part checked.

    Raises:
        WireError: for anything not produced by ``to_wire``, nested deeper
            than MAX_DEPTH or holding more than MAX_ITEMS entries in all.
    """
    budget = [MAX_ITEMS] if budget is None else budget
    _within_depth(depth, WireError, "nested")
    kind = type(raw)
    if raw is None or kind in (bool, int, float):
        return raw
    if kind is str:
        raw = raw.encode("utf-8", "replace").decode("utf-8")  # lone surrogates become "?"
        return raw if max_string is None or len(raw) <= max_string else raw[:max_string] + "…"
    if kind is list:
        _spend(budget, len(raw))
        return [from_wire(item, max_string, depth + 1, budget) for item in raw]
    if kind is not dict or len(raw) != 1:
        raise WireError("an object must be a tag with exactly one key")
    (tag, body), = raw.items()
    if tag == "t" and type(body) is list:
        _spend(budget, len(body))
        return tuple(from_wire(item, max_string, depth + 1, budget) for item in body)
    if tag == "d" and type(body) is list:
        _spend(budget, len(body))
        result = {}
        for pair in body:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                raise WireError("a dict entry must be [string key, value]")
            result[pair[0]] = from_wire(pair[1], max_string, depth + 1, budget)
        return result
    if tag == "f" and body in ("nan", "inf", "-inf"):
        return float(body)
    if tag == "a" and type(body) is list and len(body) == 3:
        return _array(*body)
    raise WireError(f"unknown tag {str(tag)[:20]!r}")


def _spend(budget: list[int], count: int) -> None:
    """Take ``count`` entries from the observation's shared budget.

    Raises:
        WireError: when the budget is used up.
    """
    budget[0] -= count
    if budget[0] < 0:
        raise WireError(f"more than {MAX_ITEMS} entries in one observation")


def _array(dtype, shape, data) -> np.ndarray:
    if dtype not in DTYPES:
        raise WireError(f"dtype {str(dtype)[:20]!r} is not allowed")
    if type(shape) is not list or len(shape) > 32 or not all(type(n) is int and n >= 0 for n in shape):
        raise WireError("an array shape must be a list of at most 32 non-negative ints")
    if type(data) is not str:
        raise WireError("array data must be base64 text")
    try:
        raw = base64.b64decode(data.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise WireError("array data is not valid base64") from None
    little = np.dtype(dtype).newbyteorder("<")
    count = math.prod(shape)
    if len(raw) > MAX_ARRAY_BYTES or len(raw) != count * little.itemsize:
        raise WireError(f"array of shape {shape} and dtype {dtype} cannot hold {len(raw)} bytes")
    return np.frombuffer(raw, dtype=little).astype(np.dtype(dtype), copy=True).reshape(shape)
