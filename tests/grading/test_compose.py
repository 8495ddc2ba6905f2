"""Part 4, Compose (5 points): applies its transforms once each, in order, each to the previous output.

These tests use their own small transforms, never the student's flip or crop.

The hidden cases of this cell; its public checks, shipped to students, are in
``tests/public/test_compose.py`` and count toward the same points.
"""

import numpy as np
import pytest

from tests.public.support import expect

pytestmark = pytest.mark.transforms


def _append(letter):
    """A transform that appends ``letter`` to a string: the result shows the order of calls."""
    return lambda text: text + letter


class _Recording:
    """A transform that records every input it is called with and returns ``function(input)``."""

    def __init__(self, name, function):
        self.name = name
        self.function = function
        self.inputs = []

    def __call__(self, sample):
        self.inputs.append(sample)
        return self.function(sample)

    def __repr__(self):
        return self.name


@pytest.mark.points(1)
def test_compose_chains_three_transforms(Compose):
    """Three transforms are all applied, in the order given."""
    got = Compose([_append("a"), _append("b"), _append("c")])("x")
    expect(got == "xabc",
           f"Compose of three transforms appending 'a', 'b', 'c' applied to 'x' should give 'xabc', got {got!r}; "
           "apply every transform, in order, to the output of the one before in Compose.__call__")


@pytest.mark.points(1)
def test_empty_compose_returns_input(Compose):
    """Compose([]) returns its input unchanged."""
    for sample in (5, "x", (1, 2)):
        got = Compose([])(sample)
        expect(got == sample, f"Compose([])({sample!r}) should return {sample!r} unchanged, got {got!r}; "
                              "with no transforms Compose.__call__ should return the sample as it came")
    array = np.arange(6).reshape(2, 3)
    got = Compose([])(array)
    expect(isinstance(got, np.ndarray) and np.array_equal(got, array),
           f"Compose([]) applied to a (2, 3) array should return that array unchanged, got {got!r}; "
           "with no transforms Compose.__call__ should return the sample as it came")


@pytest.mark.points(1)
def test_compose_accepts_a_tuple(Compose):
    """Compose works when its transforms are given as a tuple."""
    add_one = lambda x: x + 1  # noqa: E731
    add_ten = lambda x: x + 10  # noqa: E731
    got = Compose((add_one,))(0)
    expect(got == 1, f"Compose((add_one,))(0), with the transform in a tuple, should be 1, got {got!r}; "
                     "Compose.__call__ should apply self.transforms whether they came as a list or a tuple")
    got = Compose((add_one, add_ten))(0)
    expect(got == 11, f"Compose((add_one, add_ten))(0), with the transforms in a tuple, should be 11, got {got!r}; "
                      "Compose.__call__ should apply every one of self.transforms whether they came as a list or "
                      "a tuple")


@pytest.mark.points(1)
def test_each_transform_called_once_on_previous_output(Compose):
    """Each transform is called exactly once per call, with the previous transform's output."""
    first = _Recording("first", lambda x: x * 10)
    second = _Recording("second", lambda x: x + 1)
    third = _Recording("third", lambda x: x * 2)
    compose = Compose([first, second, third])
    for call, (sample, inputs) in enumerate([(1, (1, 10, 11)), (2, (2, 20, 21))], start=1):
        for transform in (first, second, third):
            transform.inputs.clear()
        got = compose(sample)
        calls = {t.name: list(t.inputs) for t in (first, second, third)}
        expect(all(len(t.inputs) == 1 for t in (first, second, third)),
               f"call {call} of Compose([first, second, third]) should call each transform exactly once, "
               f"but their inputs were {calls}; call each transform once in Compose.__call__")
        expected_inputs = dict(zip(("first", "second", "third"), ([i] for i in inputs)))
        expect(calls == expected_inputs,
               f"Compose([first, second, third])({sample}) should call first with {inputs[0]}, second with "
               f"first's output {inputs[1]} and third with second's output {inputs[2]}, but the inputs were "
               f"{calls}; pass each transform's output to the next in Compose.__call__")
        expect(got == inputs[2] * 2,
               f"Compose([first, second, third])({sample}) should return third's output {inputs[2] * 2}, "
               f"got {got!r}; return the last transform's output from Compose.__call__")
