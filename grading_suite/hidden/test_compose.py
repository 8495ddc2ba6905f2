"""Part 4, Compose (5 points): applies its transforms once each, in order, each to the previous output.

These tests use their own small transforms, never the student's flip or crop.

The hidden cases of this cell; its public checks, shipped to students, are in
``public/test_compose.py`` and count toward the same points.
"""

import numpy as np
import pytest

from grading_suite.public.checks import expect
from grading_suite.public.test_compose import value_of

pytestmark = pytest.mark.transforms

NAMES = ("first", "second", "third")


@pytest.mark.points(1)
def test_compose_chains_three_transforms(observe):
    """Three transforms are all applied, in the order given."""
    got = value_of(observe("compose.appended", letters=["a", "b", "c"], sample="x"))
    expect(got == "xabc",
           f"Compose of three transforms appending 'a', 'b', 'c' applied to 'x' should give 'xabc', got {got!r}; "
           "apply every transform, in order, to the output of the one before in Compose.__call__")


@pytest.mark.points(1)
def test_empty_compose_returns_input(observe):
    """Compose([]) returns its input unchanged."""
    for sample, sample_kind in ((5, "plain"), ("x", "plain"), ((1, 2), "tuple")):
        got = value_of(observe("compose.applied", transforms=[], sample=list(sample) if sample_kind == "tuple"
                               else sample, sample_kind=sample_kind))
        expect(got == sample, f"Compose([])({sample!r}) should return {sample!r} unchanged, got {got!r}; "
                              "with no transforms Compose.__call__ should return the sample as it came")
    array = np.arange(6).reshape(2, 3)
    got = value_of(observe("compose.applied", transforms=[], sample=array.tolist(), sample_kind="array"))
    expect(isinstance(got, np.ndarray) and np.array_equal(got, array),
           f"Compose([]) applied to a (2, 3) array should return that array unchanged, got {got!r}; "
           "with no transforms Compose.__call__ should return the sample as it came")


@pytest.mark.points(1)
def test_compose_accepts_a_tuple(observe):
    """Compose works when its transforms are given as a tuple."""
    got = value_of(observe("compose.added", amounts=[1], sample=0, container="tuple"))
    expect(got == 1, f"Compose((add_one,))(0), with the transform in a tuple, should be 1, got {got!r}; "
                     "Compose.__call__ should apply self.transforms whether they came as a list or a tuple")
    got = value_of(observe("compose.added", amounts=[1, 10], sample=0, container="tuple"))
    expect(got == 11, f"Compose((add_one, add_ten))(0), with the transforms in a tuple, should be 11, got {got!r}; "
                      "Compose.__call__ should apply every one of self.transforms whether they came as a list or "
                      "a tuple")


@pytest.mark.points(1)
def test_each_transform_called_once_on_previous_output(observe):
    """Each transform is called exactly once per call, with the previous transform's output."""
    cases = [(1, (1, 10, 11)), (2, (2, 20, 21))]
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
