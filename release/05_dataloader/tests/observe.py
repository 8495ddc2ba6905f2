"""How a judgement gets its observations: ``observe("cell.probe", **arguments)``.

The ``observe`` fixture (``conftest.py``) returns a function that runs one
probe on the code under test and gives back what the probe saw, decoded from
the wire format (``probes/codec.py``), or raises:

* ``StudentCodeError`` when the student's code raised where the probe did not
  expect it (or a class is missing): the test fails with a message saying so;
* ``ProbeNotRun`` when the grader could not run the probe (a time limit, a
  crashed or misbehaving process): the test scores 0.

Where the probe runs is the backend's business.  The grader installs its own
(``BACKEND``: a sandboxed child process, reached over a pipe); without one
the probe runs in this process on ``current()`` (the student's notebook, or
the reference library), which is what a student's own ``pytest`` does.  Either
way the answer goes through the same encoding, so judgements see the same
plain data.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random

import numpy as np

from .probes import REGISTRY, load_all
from .probes.codec import WireError, from_wire, loads, to_wire
from .probes.support import MissingName, current, exception_info

PROBE_PACKAGES = (f"{__package__}.probes", "grading_suite.hidden.probes")  # the hidden ones only in the grader
QUOTE_LIMIT = 120  # characters of student-controlled text kept in a message
BACKEND = None  # set by the grader: an object with call(name, arguments, seed, part) -> answer
DRAW_KEY = b"local"  # set by the grader per submission (see Observer.draw); fixed here, so runs repeat


class StudentCodeError(AssertionError):
    """The student's code raised, or a class it should define is missing."""


class ProbeNotRun(Exception):
    """The probe gave no observation (time limit, crash, malformed answer)."""

    def __init__(self, message: str, status: str = "error"):
        super().__init__(message)
        self.status = status  # "timeout" or "error"


def run_probe(student, name: str, arguments: dict, seed: int) -> dict:
    """Run the probe ``name`` on ``student``; return the answer as wire data:
    ``{"value": observation}``, ``{"missing": message}`` or ``{"raised": info}``.
    Used by the grader's child and by the local backend alike."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    try:
        function = REGISTRY[name]
    except KeyError:
        return {"unknown": name}
    try:
        return {"value": to_wire(function(student, **arguments))}
    except MissingName as missing:
        return {"missing": to_wire(getattr(missing, "facts", None) or {"name": str(missing)})}
    except Exception as error:  # noqa: BLE001 - student code may raise anything
        return {"raised": to_wire(exception_info(error))}


def quote(text) -> str:
    """Student-controlled text, cut to QUOTE_LIMIT characters, in guillemets
    (guillemets inside it become single ones, so a quote always ends where it seems to)."""
    text = " ".join(str(text).split()).replace("«", "‹").replace("»", "›")
    text = "".join(character if character.isprintable() else "?" for character in text)  # no terminal escapes
    if len(text) > QUOTE_LIMIT:
        text = text[:QUOTE_LIMIT] + "…"
    return f"«{text}»"


def describe_raised(info: dict) -> str:
    """"your code raised ValueError: «message» (in X, cell 'c', line 3)" from an exception_info."""
    kind = str(info.get("type", "an exception"))[:60]
    where = f" ({quote(info['where'])[1:-1]})" if info.get("where") else ""
    message = info.get("message", "")
    if kind == "NotImplementedError" and not message:
        return f"not implemented yet: the stub still raises NotImplementedError{where}"
    return f"your code raised {kind}{': ' + quote(message) if message else ''}{where}"


def describe_missing(facts: dict) -> str:
    """Why a class is missing, from ``MissingName.facts``; every part the
    notebook controls is quoted."""
    name = str(facts.get("name", "?"))
    name = f"`{name}`" if name.isidentifier() else quote(name)
    if facts.get("module"):
        return f"{name} comes from the module {quote(facts['module'])}, not from your notebook: define it there"
    message = f"{name} is not defined by your notebook"
    if facts.get("cell"):
        return f"{message}: the cell {quote(facts['cell'])} failed with {quote(facts.get('error', ''))}"
    failures = facts.get("failures")
    if type(failures) is list and failures:
        cells = "; ".join(f"{quote(pair[0])}: {quote(pair[1])}" for pair in failures[:3] if type(pair) is list
                          and len(pair) == 2)
        return f"{message} (cells that failed to run: {cells})"
    return f"{message} (is the cell that defines it missing, or no longer a code cell?)"


def interpret(answer) -> object:
    """The observation in a decoded answer.

    Raises:
        StudentCodeError: the student's code raised or a name is missing.
        ProbeNotRun: the answer is not one of the three shapes.
    """
    __tracebackhide__ = True  # a student's pytest shows their failure, not this function
    if type(answer) is dict and len(answer) == 1:
        (key, body), = answer.items()
        if key == "value":
            return body
        if key == "missing" and type(body) is dict:
            raise StudentCodeError(describe_missing(body))
        if key == "raised" and type(body) is dict:
            raise StudentCodeError(describe_raised(body))
        if key == "unknown":
            raise ProbeNotRun(f"the grading suite has no probe {quote(body)}")
    raise ProbeNotRun("the grading process sent a malformed answer")


ANSWER_KEYS = ("value", "missing", "raised", "unknown")


def encode_answer(answer: dict) -> bytes:
    """An answer of ``run_probe`` as UTF-8 JSON bytes."""
    return json.dumps(answer, separators=(",", ":"), allow_nan=False).encode("utf-8")


def decode_answer(data: bytes, max_string: int | None = QUOTE_LIMIT) -> dict:
    """The answer in ``data`` with its body decoded (``codec.from_wire``);
    strings longer than ``max_string`` are cut.

    Raises:
        WireError: if ``data`` is not one answer of ``run_probe``'s shapes.
    """
    raw = loads(data)
    if type(raw) is not dict or len(raw) != 1 or next(iter(raw)) not in ANSWER_KEYS:
        raise WireError("an answer must be one of " + ", ".join(ANSWER_KEYS))
    (key, body), = raw.items()
    return {key: from_wire(body, max_string)}


def local_backend_call(name: str, arguments: dict, seed: int, part: str = "") -> dict:
    """Run a probe in this process on ``current()`` and return the decoded answer."""
    load_all(PROBE_PACKAGES)
    return decode_answer(encode_answer(run_probe(current(), name, arguments, seed)), max_string=None)


class Observer:
    """``observe(name, **arguments)`` for one test, and ``observe.draw``, the
    random source its judgement draws inputs from.

    Both derive from ``DRAW_KEY`` and the test's id: the grader sets a key no
    submission can know in advance (it depends on the submission itself and on
    files students never see), so a probe's inputs cannot be answered from a
    table of precomputed observations.  The same key always gives the same
    inputs, so regrading a submission gives the same grade.
    """

    def __init__(self, nodeid: str, part: str):
        digest = hmac.new(DRAW_KEY, nodeid.encode(), hashlib.sha256).digest()
        self.draw = random.Random(digest)  # for the judgement: sizes, values, seeds it passes to probes
        self._seeds = random.Random(digest[::-1])  # the seed each probe call starts NumPy and random from
        self.part = part

    def __call__(self, name: str, **arguments):
        __tracebackhide__ = True
        seed = self._seeds.getrandbits(32)
        if BACKEND is not None:
            answer = BACKEND.call(name, arguments, seed, self.part)
        else:
            answer = local_backend_call(name, arguments, seed, self.part)
        return interpret(answer)
