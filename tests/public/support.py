"""Helpers of the hidden suite: checks with clear messages, statistical bounds,
and datasets that do not depend on student code."""

from __future__ import annotations

import math
import re
import tracemalloc

import numpy as np

from tinytorch.core.tensor import Tensor


class CheckFailed(AssertionError):
    """A check failed; the message says what was expected and what came."""


def expect(condition, message: str) -> None:
    """Fail the test with ``message`` unless ``condition`` is true."""
    if not condition:
        raise CheckFailed(message)


def expect_raises(error_type, action, message: str):
    """Run ``action()``; fail with ``message`` unless it raises ``error_type``.
    Return the exception raised."""
    try:
        action()
    except error_type as error:
        return error
    except Exception as other:  # noqa: BLE001
        detail = f": {other}" if str(other) else ""
        if isinstance(other, NotImplementedError) and not detail:
            detail = " (the stub is not implemented yet)"
        raise CheckFailed(f"{message}; it raised {type(other).__name__}{detail}") from None
    raise CheckFailed(f"{message}; nothing was raised")


def binomial_tolerance(trials: int, probability: float, false_failure: float = 1e-7) -> float:
    """Half-width t such that |count - trials*p| >= t has probability below
    ``false_failure`` for a Binomial(trials, p) count (Bernstein's inequality:
    P(|X - mu| >= t) <= 2 exp(-t^2 / (2 (var + t/3))))."""
    variance = trials * probability * (1 - probability)
    log_term = math.log(2 / false_failure)
    # solve t^2 = 2 log_term (variance + t/3) for t > 0
    b = 2 * log_term / 3
    return (b + math.sqrt(b * b + 8 * log_term * variance)) / 2


def names_number(message: str, number) -> bool:
    """Whether ``number`` appears in ``message`` as a whole number."""
    return re.search(rf"(?<!\d){re.escape(str(number))}(?!\d)", message) is not None


def peak_bytes(action) -> int:
    """Run ``action()`` and return the peak of new memory it allocated (bytes)."""
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        baseline = tracemalloc.get_traced_memory()[0]
        action()
        return tracemalloc.get_traced_memory()[1] - baseline
    finally:
        if not was_tracing:
            tracemalloc.stop()


def type_with_article(value) -> str:
    """What ``value`` is, with its article: "an ndarray", "a Tensor", "None"."""
    if value is None:
        return "None"
    name = type(value).__name__
    return f"{'an' if name == 'ndarray' or name[0].lower() in 'aeiou' else 'a'} {name}"


def as_array(value) -> np.ndarray:
    """The NumPy data of a Tensor, ndarray or array-like."""
    if isinstance(value, Tensor):
        return value.data
    return np.asarray(value)


def batch_parts(batch) -> list:
    """The elements of a batch as a list (batches are tuples; lists are accepted)."""
    if isinstance(batch, (tuple, list)):
        return list(batch)
    return [batch]


def batch_ids(batch) -> list[int]:
    """The sample ids in a batch of an ``ids_dataset``, as a list of ints."""
    return [int(value) for value in as_array(batch_parts(batch)[0]).reshape(-1)]


def ids_dataset(make_dataset, size: int):
    """A dataset of ``size`` samples from the ``make_dataset`` fixture: sample i
    is (Tensor([i]),) with dtype int64, so a batch tells which samples it holds."""
    return make_dataset(np.arange(size, dtype=np.int64).reshape(size, 1))


def make_array_dataset(base: type, *arrays: np.ndarray):
    """A dataset over ``arrays`` (sample i = tuple of Tensor(array[i])), subclassing
    ``base``; ``.fetched`` lists every index asked for."""

    class ArrayDataset(base):
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
