"""Part 4, Compose (5 points): applies its transforms once each, in order, each to the previous output.

These tests use their own small transforms, never the student's flip or crop.

The hidden cases of this cell; its public checks, shipped to students, are in
``public/test_compose.py`` and count toward the same points.

The samples, letters and amounts are drawn from ``observe.draw``.
"""

import string

import numpy as np
import pytest

from grading_suite.public.checks import expect, is_error, raised, returned, whole_message
from grading_suite.public.observe import describe_raised, quote
from grading_suite.public.test_compose import value_of

pytestmark = pytest.mark.transforms

NAMES = ("first", "second", "third")


def _word(draw, low: int = 1, high: int = 6) -> str:
    """A drawn string of ``low`` to ``high`` lowercase letters."""
    return "".join(draw.choice(string.ascii_lowercase) for _ in range(draw.randint(low, high)))


@pytest.mark.points(1)
def test_compose_chains_three_transforms(observe):
    """Three transforms are all applied, in the order given, and a tuple sample goes to the first one whole."""
    letters = observe.draw.sample(string.ascii_lowercase, 3)  # distinct, so every order shows
    sample = _word(observe.draw)
    got = value_of(observe("compose.appended", letters=letters, sample=sample))
    expected = sample + "".join(letters)
    expect(got == expected,
           f"Compose of three transforms appending {', '.join(map(repr, letters))} applied to {sample!r} should "
           f"give {expected!r}, got {got!r}; apply every transform, in order, to the output of the one before in "
           "Compose.__call__")
    words = [_word(observe.draw, 2, 5) for _ in range(observe.draw.randint(3, 5))]
    got = value_of(observe("compose.applied", transforms=["reverse", "first_two"], sample=words, sample_kind="tuple"))
    expected = tuple(words[::-1][:2])
    expect(got == expected,
           f"Compose([reverse, first_two]) applied to the tuple {tuple(words)!r} should pass the whole tuple to "
           f"reverse, then its output to first_two, giving {expected!r}; got {got!r}; Compose.__call__ should give "
           "any sample, a tuple included, to the first transform as it is")


@pytest.mark.points(0.5)
def test_empty_compose_returns_input(observe, draw):
    """Compose([]) returns its input unchanged."""
    number, text = draw.randint(-10**6, 10**6), _word(draw)
    pair = tuple(draw.sample(range(-999, 1000), draw.randint(2, 4)))
    for sample, sample_kind in ((number, "plain"), (text, "plain"), (pair, "tuple")):
        got = value_of(observe("compose.applied", transforms=[], sample=list(sample) if sample_kind == "tuple"
                               else sample, sample_kind=sample_kind))
        expect(got == sample, f"Compose([])({sample!r}) should return {sample!r} unchanged, got {got!r}; "
                              "with no transforms Compose.__call__ should return the sample as it came")
    shape = (draw.randint(2, 4), draw.randint(2, 4))
    array = np.array(draw.sample(range(1000), shape[0] * shape[1])).reshape(shape)
    got = value_of(observe("compose.applied", transforms=[], sample=array.tolist(), sample_kind="array"))
    expect(isinstance(got, np.ndarray) and np.array_equal(got, array),
           f"Compose([]) applied to the {shape} array {array.tolist()} should return that array unchanged, got "
           f"{got!r}; with no transforms Compose.__call__ should return the sample as it came")


@pytest.mark.points(0.5)
def test_compose_accepts_a_tuple(observe, draw):
    """Compose works when its transforms are given as a tuple."""
    first, sample = draw.randint(1, 999), draw.randint(0, 999)
    got = value_of(observe("compose.added", amounts=[first], sample=sample, container="tuple"))
    expect(got == sample + first,
           f"Compose((add_{first},))({sample}), with the transform in a tuple, should be {sample + first}, got "
           f"{got!r}; Compose.__call__ should apply self.transforms whether they came as a list or a tuple")
    first, second, sample = draw.randint(1, 999), draw.randint(1, 999), draw.randint(0, 999)
    got = value_of(observe("compose.added", amounts=[first, second], sample=sample, container="tuple"))
    expected = sample + first + second
    expect(got == expected,
           f"Compose((add_{first}, add_{second}))({sample}), with the transforms in a tuple, should be {expected}, "
           f"got {got!r}; Compose.__call__ should apply every one of self.transforms whether they came as a list "
           "or a tuple")


@pytest.mark.points(1)
def test_each_transform_called_once_on_previous_output(observe):
    """Each transform is called exactly once per call, with the previous transform's output."""
    samples = observe.draw.sample(range(1, 1000), 2)
    cases = [(sample, (sample, sample * 10, sample * 10 + 1)) for sample in samples]  # first x*10, second x+1
    seen = observe("compose.recorded_calls", samples=[sample for sample, _ in cases])
    expect(len(seen) == len(cases), f"the probe should have seen {len(cases)} calls, got {len(seen)}")
    for call, ((sample, inputs), observed) in enumerate(zip(cases, seen), start=1):
        calls = {name: [value_of(value) for value in observed["inputs"][name]] for name in NAMES}
        counts = {name: observed["counts"][name] for name in NAMES}
        expect(all(counts[name] == 1 for name in NAMES),
               f"call {call} of Compose([first, second, third]) should call each transform exactly once, "
               f"but their inputs were {calls}; call each transform once in Compose.__call__")
        expected_inputs = dict(zip(NAMES, ([i] for i in inputs)))
        expect(calls == expected_inputs,
               f"Compose([first, second, third])({sample}) should call first with {inputs[0]}, second with "
               f"first's output {inputs[1]} and third with second's output {inputs[2]}, but the inputs were "
               f"{calls}; pass each transform's output to the next in Compose.__call__")
        got = value_of(observed["got"])
        expect(got == inputs[2] * 2,
               f"Compose([first, second, third])({sample}) should return third's output {inputs[2] * 2}, "
               f"got {got!r}; return the last transform's output from Compose.__call__")


@pytest.mark.points(1)
def test_compose_errors_reach_the_caller(observe, draw):
    """An error raised by a transform (a built-in one, or a custom Exception subclass) reaches the
    caller of Compose, with its message; the transforms after it are not called."""
    for error in draw.sample(["ValueError", "TypeError", "IndexError"], 1) + ["custom"]:
        count = draw.randint(2, 4)
        amounts = [draw.randint(1, 999) for _ in range(count)]
        bad = draw.randrange(count)
        message = f"sample {draw.randrange(10**5, 10**6)} cannot be transformed"
        sample = draw.randint(0, 999)
        seen = observe("compose.failing", amounts=amounts, bad=bad, error=error, message=message, sample=sample)
        kind_name = "a custom Exception subclass" if error == "custom" else error
        situation = (f"Compose of {count} transforms whose transform {bad} raises {kind_name} "
                     f"({quote(message)}), called on {sample},")
        info = raised(seen["outcome"])
        same = info is not None and message in whole_message(info) and (
            info.get("type") == "_Broken" if error == "custom" else is_error(info, error))
        got = (f"it returned {value_of(returned(seen['outcome']))!r}" if info is None
               else describe_raised(info).replace("your code raised", "it raised"))
        expect(same, f"{situation} should raise that error, but {got}; do not catch errors of the transforms "
                     "in Compose.__call__")
        expect(seen["called_after"] == 0,
               f"{situation} should stop there, but the transforms after it were called {seen['called_after']} "
               "time(s); let the error reach the caller in Compose.__call__")
