"""Helpers of the judgements: checks with clear messages, statistical bounds,
and readers of the probes' descriptions (``probes/support.py``).

Everything here works on plain data that came from a probe; nothing here
calls student code.
"""

from __future__ import annotations

import math
import re

import numpy as np

from .observe import describe_raised, quote


class CheckFailed(AssertionError):
    """A check failed; the message says what was expected and what came."""


def expect(condition, message: str) -> None:
    """Fail the test with ``message`` unless ``condition`` is true."""
    if not condition:
        raise CheckFailed(message)


def raised(outcome: dict) -> dict | None:
    """The exception info of an ``attempt`` outcome, or None if it returned."""
    info = outcome.get("raised") if type(outcome) is dict else None
    return info if type(info) is dict else None


def returned(outcome: dict):
    """The description of what an ``attempt`` returned, or None if it raised."""
    return outcome.get("returned") if type(outcome) is dict else None


def is_error(info: dict | None, error_type: str) -> bool:
    """Whether ``info`` describes an exception that is a ``error_type`` (a built-in name)."""
    return info is not None and error_type in (info.get("builtin") or [])


def expect_raised(outcome: dict, error_type: str, message: str) -> dict:
    """Fail with ``message`` unless the ``attempt`` outcome raised ``error_type``
    (a built-in exception name, subclasses included); return its info."""
    info = raised(outcome)
    if is_error(info, error_type):
        return info
    if info is None:
        raise CheckFailed(f"{message}; nothing was raised")
    detail = describe_raised(info).removeprefix("your code raised ")
    if detail.startswith("not implemented yet"):
        detail = "NotImplementedError (the stub is not implemented yet)"
    raise CheckFailed(f"{message}; it raised {detail}")


def message_of(info: dict) -> str:
    """The (quoted, cut) message of an exception info, for a failure message."""
    return quote(info.get("message", ""))


def whole_message(info: dict) -> str:
    """The whole message of an exception info (from its pieces), for checks of what
    it names; show it with ``message_of``, never whole."""
    pieces = info.get("message_pieces") if type(info) is dict else None
    if type(pieces) is list and all(type(piece) is str for piece in pieces):
        return "".join(pieces)
    return str(info.get("message", "")) if type(info) is dict else ""


def binomial_tolerance(trials: int, probability: float, false_failure: float = 1e-7) -> float:
    """Half-width t such that |count - trials*p| >= t has probability below
    ``false_failure`` for a Binomial(trials, p) count (Bernstein's inequality:
    P(|X - mu| >= t) <= 2 exp(-t^2 / (2 (var + t/3))))."""
    variance = trials * probability * (1 - probability)
    log_term = math.log(2 / false_failure)
    b = 2 * log_term / 3
    return (b + math.sqrt(b * b + 8 * log_term * variance)) / 2


def names_number(message: str, number) -> bool:
    """Whether ``number`` appears in ``message`` as a whole number."""
    return re.search(rf"(?<!\d){re.escape(str(number))}(?!\d)", message) is not None


def kind(description) -> str:
    """The family of a described value: "Tensor", "ndarray", "tuple", "list", "scalar", "other"."""
    return description.get("kind", "other") if type(description) is dict else "other"


def array_of(description) -> np.ndarray | None:
    """The array of a described Tensor or ndarray, else None."""
    if kind(description) in ("Tensor", "ndarray") and isinstance(description.get("data"), np.ndarray):
        return description["data"]
    return None


def items_of(description) -> list:
    """The described items of a tuple or list; a single described value as a one-item list."""
    if kind(description) in ("tuple", "list"):
        return list(description.get("items") or [])
    return [description]


def expect_tensors(elements: list, what: str, advice: str) -> None:
    """Fail unless every described element is a Tensor, with the message
    "``what`` should be a Tensor, got [their type names]; ``advice``"."""
    kinds = [element.get("type") if type(element) is dict else None for element in elements]
    expect(all(kind(element) == "Tensor" for element in elements), f"{what} should be a Tensor, got {kinds}; {advice}")


def type_with_article(description) -> str:
    """What a described value is, with its article: "an ndarray", "a Tensor", "None"."""
    if kind(description) == "scalar" and description.get("value") is None:
        return "None"
    name = str(description.get("type", "object")) if type(description) is dict else "object"
    return f"{'an' if name == 'ndarray' or name[:1].lower() in 'aeiou' else 'a'} {quote(name)[1:-1]}"


def unstacked(observed) -> list:
    """The list of descriptions that ``support.stacked`` compacted (a list is returned as it is)."""
    if type(observed) is dict and type(observed.get("stacked")) is dict and isinstance(observed.get("data"), np.ndarray):
        return [{**observed["stacked"], "data": item} for item in observed["data"]]
    return list(observed)


def distinct_ids(draw, size: int, low: int = 1000, high: int = 2**24) -> list[int]:
    """``size`` distinct sample ids in [low, high) drawn from ``draw`` (an
    ``observe.draw``), in random order: pass them to a probe's ``ids``.  The
    default bound keeps every id exact in float32, so a loader that changes
    the dtype is judged by the dtype checks alone."""
    return draw.sample(range(low, high), size)


def epoch_hint(samples: list[int], size: int, batch_size: int, drop_last: bool, otherwise: str) -> str:
    """Where to look when a shuffled epoch did not visit the samples it should: when it is
    exactly the epoch of the other ``drop_last`` setting (the short last batch dropped, or
    kept), the batch count is to blame, not the shuffle; else ``otherwise``."""
    distinct = len(set(samples)) == len(samples) and -1 not in samples
    full = size // batch_size * batch_size
    if distinct and full < size and not drop_last and len(samples) == full:
        return (f"the last, short batch of {size - full} sample(s) is missing although drop_last=False: "
                "check how DataLoader.__iter__ counts its batches (and DataLoader.__len__) rather than the shuffle")
    if distinct and full < size and drop_last and len(samples) == size:
        return (f"the short last batch of {size - full} sample(s) came although drop_last=True: skip it in "
                "DataLoader.__iter__")
    expected = full if drop_last else size
    if distinct and len(samples) < expected and len(samples) % batch_size == 0:
        batches = -(-expected // batch_size)
        return (f"only {len(samples) // batch_size} of its {batches} batches came, each whole: check how "
                "DataLoader.__iter__ counts its batches (the end of its range of batch starts) rather than the shuffle")
    return otherwise


def positions_of(observed_ids: list, ids: list[int]) -> list[int]:
    """Which sample (index into ``ids``) each observed id is; -1 for an id that is no sample's."""
    where = {value: index for index, value in enumerate(ids)}
    return [where.get(value, -1) if type(value) is int else -1 for value in observed_ids]
